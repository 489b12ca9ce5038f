/**
 * The Istio versions cdk8s-istio targets: 1.20 through 1.30. Output and validation follow the
 * target's CRDs: the apiVersions it serves and the fields its schemas declare. Each even minor
 * has its CRD bundle's artefact (imports/crd-schemas-versions.json); an odd minor is checked
 * against the bundle of the minor before it, which knows no field the odd one lacks.
 */

/** The minors with a CRD bundle of their own, oldest first. */
export const BUNDLED_MINORS: readonly string[] = ['1.20', '1.22', '1.24', '1.26', '1.28', '1.30'];

export const DEFAULT_ISTIO_VERSION = '1.30';
export const OLDEST_ISTIO_VERSION = '1.20';

/** Why `version` is not a version we target, or undefined. */
export function istioVersionProblem(version: string): { problem: string; fix: string } | undefined {
  const m = /^1\.(\d+)(?:\.(\d+))?$/.exec(version);
  const fix = `give a version from ${OLDEST_ISTIO_VERSION} to ${DEFAULT_ISTIO_VERSION}, as 1.x or 1.x.y (e.g. 1.24 or 1.24.6)`;
  if (!m) {
    return { problem: `"${version}" is not an Istio version`, fix };
  }
  const minor = Number(m[1]);
  if (minor < 20 || minor > 30) {
    return { problem: `Istio ${version} is outside the supported range ${OLDEST_ISTIO_VERSION}-${DEFAULT_ISTIO_VERSION}`, fix };
  }
  return undefined;
}

/** `1.24.6` → `1.24`. */
export function minorOf(version: string): string {
  const m = /^(1\.\d+)/.exec(version);
  return m ? m[1] : version;
}

/** The bundled minor whose CRDs stand for `version`: itself, or the even minor before it. */
export function bundledMinorFor(version: string): string {
  // Asked once per validated object with the app's one version: remember the answer.
  let best = bundledFor.get(version);
  if (best === undefined) {
    const minor = Number(minorOf(version).split('.')[1]);
    best = BUNDLED_MINORS[0];
    for (const m of BUNDLED_MINORS) {
      if (Number(m.split('.')[1]) <= minor) {
        best = m;
      }
    }
    bundledFor.set(version, best);
  }
  return best;
}

const bundledFor = new Map<string, string>();

/** -1, 0, 1 as `a` is older, the same minor, newer than `b`. */
export function compareMinors(a: string, b: string): number {
  const [x, y] = [Number(minorOf(a).split('.')[1]), Number(minorOf(b).split('.')[1])];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Where Istio publishes its Helm charts (base, istiod, cni, ztunnel, gateway); chart version = Istio version. */
export const ISTIO_CHART_REPO = 'https://istio-release.storage.googleapis.com/charts';
