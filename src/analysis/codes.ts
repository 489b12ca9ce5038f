/**
 * Finding codes shared with istioctl analyze, defined once so every check that reports one uses
 * the same severity and title. Severities are istioctl's except where a code's note says otherwise
 * (docs/findings.md lists the notes).
 *
 * Our own codes (CKIxxxx) are defined next to their checks, by range:
 * CKI0xxx synthesis itself, CKI1xxx schema/CEL/Go-only field rules, CKI2xxx the edge (namespaces,
 * gateways), CKI3xxx routing and traffic policy, CKI4xxx security.
 */
import { defineCode, Severity } from './finding';

export const IST0101 = defineCode('IST0101', Severity.ERROR, 'Referenced resource not found');
export const IST0109 = defineCode('IST0109', Severity.ERROR, 'Several mesh-bound VirtualServices define the same host');
export const IST0118 = defineCode('IST0118', Severity.INFO, 'Service port name does not follow Istio\'s protocol naming convention');
export const IST0106 = defineCode('IST0106', Severity.ERROR, 'Value istiod\'s validation refuses', 'Reported here for regular expressions that RE2 cannot compile or that are longer than 1,024 characters. istioctl used IST0122 (a warning) for invalid regexes until it retired that code in 1.23; since then its schema validation reports them as IST0106. An error here because istiod refuses the object at apply time.');
export const IST0123 = defineCode('IST0123', Severity.ERROR, 'Namespace carries more than one kind of injection label', 'istioctl: warning. An error here: one of the labels is silently ignored, never what was meant.');
export const IST0128 = defineCode('IST0128', Severity.WARNING, 'DestinationRule TLS without caCertificates or credentialName', 'istioctl: error. A warning here because since Istio 1.20 proxies verify a server without caCertificates against the OS CA bundle (VERIFY_CERTIFICATE_AT_CLIENT, on by default; see istioctl\'s 1.20 upgrade precheck), so the connection is verified unless insecureSkipVerify is set. Also broader than istioctl: subsets are checked, port-level settings are reported under this code (istioctl: IST0129), and a rule with credentialName passes whether or not it has a workloadSelector (istioctl exempts it only with one).');
export const IST0130 = defineCode('IST0130', Severity.WARNING, 'VirtualService rule is unreachable: an earlier rule matches everything it does');
export const IST0131 = defineCode('IST0131', Severity.INFO, 'VirtualService match duplicates an earlier match');
export const IST0132 = defineCode('IST0132', Severity.WARNING, 'VirtualService host not found in its Gateway');
export const IST0140 = defineCode('IST0140', Severity.WARNING, 'Subsets routed on the mesh have no effect on gateway requests');
export const IST0145 = defineCode('IST0145', Severity.ERROR, 'Conflicting Gateways: same selector, port and overlapping hosts');
export const IST0147 = defineCode('IST0147', Severity.ERROR, 'Workload with image auto matches no injection webhook', 'istioctl reports Deployments as IST0146 (warning) and Pods as IST0147 (error); a gateway pod that never gets its proxy never serves, so both are IST0147 errors here.');
export const IST0162 = defineCode('IST0162', Severity.WARNING, 'Gateway port not defined on the gateway workload\'s Service');
