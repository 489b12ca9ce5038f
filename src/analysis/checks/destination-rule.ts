/**
 * DestinationRules: client TLS that does not verify the server.
 */
import { IST0128 } from '../codes';
import { ObjectCheck } from '../registry';
import { GK, objectsOf } from '../rendered';
import { TrafficPolicy, viewsOf } from '../views';

/**
 * istioctl checks only caCertificates. Istio also verifies against a CA in the Secret named by
 * credentialName (`cacert`/`ca.crt`), so a rule with credentialName is not reported here.
 */
const drCaCertificates: ObjectCheck = {
  id: 'destinationrule-ca-certificates',
  groupKinds: [GK.DestinationRule],
  check(obj, ctx) {
    const dr = viewsOf(ctx.index).destinationRuleOf.get(obj)!;
    const host = dr.host ?? '';
    const check = (t: TrafficPolicy['tls'], field: string, where: string) => {
      if (!t || typeof t !== 'object') {
        return;
      }
      if ((t.mode === 'SIMPLE' || t.mode === 'MUTUAL') && !t.caCertificates && !t.credentialName) {
        ctx.report(obj, {
          code: IST0128.code,
          field,
          message: `TLS mode ${String(t.mode)} for ${host}${where} sets neither caCertificates nor credentialName${t.insecureSkipVerify === true ? ' and skips verification' : ''}: the server certificate is verified only against the proxy's system CAs, if at all`,
          fix: 'set caCertificates (a CA bundle path in the proxy) or credentialName (a Secret with ca.crt), e.g. ClientTls.simple({ caCertificates: \'/etc/ssl/certs/ca-certificates.crt\' })',
        });
      }
    };
    const policy = (p: TrafficPolicy | undefined, prefix: string, where: string) => {
      if (!p) {
        return;
      }
      check(p.tls, `${prefix}.tls`, where);
      (objectsOf(p.portLevelSettings) as NonNullable<TrafficPolicy['portLevelSettings']>).forEach((pl, i) => {
        check(pl.tls, `${prefix}.portLevelSettings[${i}].tls`, `${where} port ${String(pl.port?.number)}`);
      });
    };
    policy(dr.trafficPolicy, 'spec.trafficPolicy', '');
    dr.subsets.forEach((s, i) => policy(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`, ` subset ${String(s.name)}`));
  },
};

export const destinationRuleChecks: ObjectCheck[] = [drCaCertificates];
