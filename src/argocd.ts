/**
 * The Argo CD config management plugin, as data: the plugin file the sidecar reads and the
 * strategic-merge patch that adds the sidecar to `argocd-repo-server`. `npm run synth` writes
 * both under dist/argocd/ and argocd/ holds the committed copies (a test keeps them equal).
 *
 * Shapes follow argo-cd's docs/operator-manual/config-management-plugins.md and
 * cmpserver/plugin/config.go: the plugin file is read from disk (it is not a Kubernetes object),
 * the Application names the plugin `<metadata.name>-<spec.version>`, the sidecar runs the
 * cmp-server binary that the stock repo-server's init container copies into `var-files`, as user
 * 999, with its own /tmp.
 */
import { Json } from './analysis/rendered';

export const PLUGIN_NAME = 'cdk8s-istio';
export const PLUGIN_VERSION = 'v1';
/** What an Application's `spec.source.plugin.name` says. */
export const PLUGIN_REF = `${PLUGIN_NAME}-${PLUGIN_VERSION}`;
/** The ConfigMap the patch mounts the plugin file from. */
export const PLUGIN_CONFIGMAP = 'cdk8s-istio-cmp';

/** argocd/plugin.yaml */
export function pluginConfig(): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ConfigManagementPlugin',
    metadata: { name: PLUGIN_NAME },
    spec: {
      version: PLUGIN_VERSION,
      // Used when an Application does not name the plugin: a default values file or a cdk8s app.
      discover: { find: { command: ['sh', '-c', 'ls cdk8s-istio.yaml cdk8s.yaml 2>/dev/null | head -n 1'] } },
      generate: { command: ['cdk8s-istio', 'generate'] },
      parameters: {
        static: [
          {
            name: 'values',
            title: 'Values files',
            tooltip: 'Values files in the source directory, later ones override earlier ones (default: cdk8s-istio.yaml)',
            collectionType: 'array',
          },
          {
            name: 'set',
            title: 'Overrides',
            tooltip: 'key.path=value pairs applied after the files, in Helm\'s --set syntax',
            collectionType: 'array',
          },
          {
            name: 'istioVersion',
            title: 'Istio version',
            tooltip: 'The cluster\'s Istio, 1.20 to 1.30: apiVersions and validation follow it (default: mesh.istioVersion, else 1.30)',
            collectionType: 'string',
          },
        ],
      },
    },
  };
}

/** argocd/repo-server-patch.yaml: the sidecar, for kustomize's `patches` (or Helm's extraContainers). */
export function repoServerPatch(image: string = 'cdk8s-istio-cmp:latest'): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'argocd-repo-server' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: PLUGIN_NAME,
              image,
              command: ['/var/run/argocd/argocd-cmp-server'],
              // Nothing is fetched at render time; HOME is where Argo CD leaves it unset.
              env: [{ name: 'HOME', value: '/tmp' }, { name: 'npm_config_cache', value: '/tmp/.npm' }],
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 999,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { mountPath: '/var/run/argocd', name: 'var-files' },
                { mountPath: '/home/argocd/cmp-server/plugins', name: 'plugins' },
                { mountPath: '/home/argocd/cmp-server/config/plugin.yaml', subPath: 'plugin.yaml', name: PLUGIN_CONFIGMAP },
                { mountPath: '/tmp', name: 'cdk8s-istio-tmp' },
              ],
            },
          ],
          volumes: [
            { name: PLUGIN_CONFIGMAP, configMap: { name: PLUGIN_CONFIGMAP } },
            { name: 'cdk8s-istio-tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
