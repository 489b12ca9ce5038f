/**
 * The public API of cdk8s-istio, listed by hand: what a user builds with. The analysis (its
 * engine, registry, finding codes and schema validation) is the `cdk8s-istio/analysis` entry
 * point; everything else is internal.
 */
export * as l1 from './l1';
// The Gateway API's L1 classes are the subpath `cdk8s-istio/gateway-api-l1`: their generated
// module takes 50 ms to load, which an app that does not use them should not pay.

// Apps, charts and tests
export { IstioApp, addIstioValidation } from './istio-app';
export type { IstioAppProps } from './istio-app';
export { IstioChart } from './istio-chart';
export type { IstioChartProps } from './istio-chart';
export { testApp, synthManifests, findings } from './testing';
export { ValidationError } from './synthesis';
export { PropError } from './errors';
export { suppress } from './analysis/suppressions';
export { Severity } from './analysis/finding';
export type { Finding } from './analysis/finding';
export type { Problem, FieldProblem } from './validation';

// The construct base, references and facts about the cluster
export { IstioResource } from './resource';
export type { IIstioResource, IstioResourceProps, ResourceMetadata, ResourceType } from './resource';
export { ServiceRef, principalOf } from './references';
export type { IGatewayRef, IGatewayWorkload, INamespaceRef, IServiceRef, IVirtualServiceRef, IWorkloadRef } from './references';
export { MeshContext, DEFAULT_ROOT_NAMESPACE } from './mesh-context';
export type { ExternalGatewayWorkload, InstallFacts, InstalledControlPlane } from './mesh-context';
export { IstioDuration } from './duration';
export type { DurationLike } from './duration';

// Namespaces and gateway deployments
export { InjectionKind, InjectionMode } from './injection';
export { MeshNamespace } from './mesh-namespace';
export type { IMeshNamespaceRef, MeshNamespaceProps } from './mesh-namespace';
export { GatewayDeployment, GatewayScaling, GatewayServiceType } from './gateway-deployment';
export type { GatewayDeploymentProps, GatewayDisruptionBudget, GatewayServicePort } from './gateway-deployment';
export { ZoneAntiAffinity } from './gateway-pod-template';
export type { GatewayPodProps } from './gateway-pod-template';
export { IngressGateway } from './ingress-gateway';
export type { IngressGatewayProps } from './ingress-gateway';
export { EgressGateway } from './egress-gateway';
export type { EgressGatewayProps } from './egress-gateway';
export { GatewayWorkload } from './gateway-workload';
export type { GatewayWorkloadSelectorOptions } from './gateway-workload';

// Gateway resources, TLS and redirects
export { Gateway } from './gateway';
export type { GatewayProps } from './gateway';
export { GatewayTls, Server, ServerProtocol, TlsMinVersion } from './gateway-server';
export type {
  HttpServerOptions, HttpsServerOptions, MutualTlsOptions, ServerCertificateOptions, TcpServerOptions, TerminatedTlsOptions, TlsServerOptions,
} from './gateway-server';
export { Certificate, CertificateIssuer } from './certificate';
export type { CertificateProps } from './certificate';
export { HttpsRedirect, RedirectStatus } from './https-redirect';
export type { HttpsRedirectProps } from './https-redirect';

// Routing
export { VirtualService, MESH_GATEWAY } from './virtual-service';
export type { VirtualServiceHost, VirtualServiceProps } from './virtual-service';
export { HttpRoute, RetryOn, Fault, CorsUnmatchedPreflights, RedirectPort } from './http-route';
export type { CorsPolicy, DirectResponse, HttpRouteProps, Redirect, RetryPolicy, Rewrite } from './http-route';
export { Match, StringMatch } from './http-match';
export { Destination } from './route-destination';
export type {
  DestinationOptions, DestinationTarget, HeaderOperation, HeaderOperations, RouteDestinationOptions, WeightedDestinationOptions,
} from './route-destination';
export { L4Route, TcpRoute } from './tcp-route';
export type { L4MatchConditions, TcpMatch, TcpRouteProps } from './tcp-route';
export { TlsRoute } from './tls-route';
export type { TlsMatch, TlsRouteProps } from './tls-route';
export { DestinationRule, Subset } from './destination-rule';
export type { DestinationRuleProps, SubsetOptions } from './destination-rule';
export { ClientTls, H2UpgradePolicy, HashKey, LoadBalancer } from './traffic-policy';
export type {
  ConnectionPool, ConsistentHashOptions, HashCookieOptions, HttpConnectionPool, IstioMutualTlsOptions, LoadBalancerOptions, LocalityLoadBalancing,
  MutualClientTlsOptions, OutlierDetection, PolicySettings, PortTrafficPolicy, SimpleClientTlsOptions, TcpConnectionPool, TrafficPolicy,
} from './traffic-policy';
export { PortProtocol, ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from './service-entry';
export type { ServiceEntryEndpoint, ServiceEntryPort, ServiceEntryProps } from './service-entry';
export { OutboundTrafficMode, Sidecar } from './sidecar';
export type { EgressTarget, SidecarEgressPort, SidecarEgressProps, SidecarProps } from './sidecar';
export { EgressRoute, EgressTls } from './egress-route';
export type { EgressRouteProps } from './egress-route';

// Security
export { AuthorizationPolicy, PolicyAction } from './authorization-policy';
export type {
  AllowFromIngressGatewayOptions, AllowFromNamespacesOptions, AllowFromWorkloadsOptions, AllowNothingOptions, AuthorizationPolicyProps,
} from './authorization-policy';
export { Condition, Operation, Source } from './authorization-rule';
export type { AuthorizationRule, ConditionSpec, OperationSpec, PolicyFieldProblem, SourceSpec } from './authorization-rule';
export { PolicyTargetRef } from './policy-scope';
export type { PolicyScopeProps } from './policy-scope';
export { MtlsMode, PeerAuthentication } from './peer-authentication';
export type { PeerAuthenticationProps } from './peer-authentication';
export { JwtRule, RequestAuthentication } from './request-authentication';
export type { JwtClaimToHeader, JwtHeader, JwtRuleOptions, RequestAuthenticationProps, RequirePrincipalOptions } from './request-authentication';
export { MeshWorkload } from './mesh-workload';
export type { AllowFromOptions, WorkloadOptions } from './mesh-workload';

// Patterns, and the values file they are also written in
export { ExposedApplication } from './patterns/exposed-application';
export type { AppEdge, AppGateway, AppHttpsRedirect, AppService, AppTls, ExposedApplicationProps } from './patterns/exposed-application';
export { EdgeRoute } from './patterns/edge-route';
export type { EdgeRouteProps, EdgeRouteTarget } from './patterns/edge-route';
export { CanaryRelease } from './patterns/canary-release';
export type { CanaryReleaseProps, CanarySplit, ReleaseTrack } from './patterns/canary-release';
export { ServiceRoutes } from './patterns/service-routes';
export type { RouteFaultValues, RouteMatchValues, RouteTargetValues, ServiceRouteValues, ServiceRoutesProps } from './patterns/service-routes';
export { ZeroTrustNamespace } from './patterns/zero-trust-namespace';
export type { ZeroTrustIngress, ZeroTrustNamespaceProps } from './patterns/zero-trust-namespace';
export type { NamespaceValues } from './patterns/common';
export { buildFromValues } from './patterns/values';
export type { GatewayIdentityValues, IstioValues, MeshValues, WorkloadValues, ZeroTrustNamespaceValues } from './patterns/values';

// Argo CD: the plugin's files and an Application that renders with it
export { ArgoCdApplication } from './argocd-application';
export type { ArgoCdApplicationProps, ArgoCdDestination, ArgoCdSource, ArgoCdSyncPolicy } from './argocd-application';
export { PLUGIN_REF as ARGOCD_PLUGIN_NAME, pluginConfig as argoCdPluginConfig, repoServerPatch as argoCdRepoServerPatch } from './argocd';

// Ambient
export { Waypoint } from './waypoint';
export { KubernetesGateway } from './kubernetes-gateway';
export type { GatewayInfrastructure, KubernetesGatewayProps } from './kubernetes-gateway';
export { AllowedRoutes, GatewayListener } from './gateway-listener';
export type { CertificateSecret, HttpListenerOptions, HttpsListenerOptions } from './gateway-listener';
export { KubernetesHttpRoute } from './kubernetes-http-route';
export type { KubernetesHttpRouteProps, KubernetesHttpRouteRule } from './kubernetes-http-route';
export { GrpcMatch, KubernetesGrpcRoute } from './kubernetes-grpc-route';
export type { KubernetesGrpcRouteProps, KubernetesGrpcRouteRule } from './kubernetes-grpc-route';
export { ReferenceGrant } from './reference-grant';
export type { ReferenceGrantFrom, ReferenceGrantProps, ReferenceGrantTo } from './reference-grant';
export { RouteBackend, RouteFilter, RouteMatch, RouteParent } from './route-parts';
export type { HeaderChanges, IRouteParent, ParentReference, RedirectOptions, RouteBackendOptions, ServiceTarget } from './route-parts';
export type { GatewayApiRouteProps } from './gateway-api-route';
export type { WaypointFor, WaypointProps } from './waypoint';

// Istio's control plane as Argo CD Applications of its Helm charts
export { ISTIO_CHART_REPO, MeshInstall } from './mesh-install';
export type { IstioPlatform, IstioProfile, MeshConfigProps, MeshInstallGateway, MeshInstallProps } from './mesh-install';
export { MeshRequirement, requireMesh } from './mesh-requirement';
export type { MeshRequirementProps, StatedRequirement } from './mesh-requirement';
export type { ArgoCdDirectorySource, ArgoCdHelmSource, ArgoCdIgnoreDifference } from './argocd-application';

// Renamed; the old names stay for one release.
/** @deprecated use `IstioDuration`, or cdk8s's `Duration`, which every prop accepts too */
export { IstioDuration as Duration } from './duration';
/** @deprecated renamed to `MeshWorkload`, which does not clash with cdk8s-plus's `Workload` */
export { Workload } from './mesh-workload';
