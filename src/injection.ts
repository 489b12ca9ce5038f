/**
 * How a namespace asks Istio for a data plane. Each mode maps to exactly one label, so a
 * namespace built from an InjectionMode can never carry two that contradict each other
 * (istioctl's IST0123: `istio-injection` wins and the revision label is silently ignored).
 */


/** The label keys that decide sidecar injection and ambient enrolment on a namespace. */
export const INJECTION_LABEL_KEYS: readonly string[] = ['istio-injection', 'istio.io/rev', 'istio.io/dataplane-mode'];

export enum InjectionKind {
  /** `istio-injection=enabled`: the default revision (or `default` tag) injects sidecars. */
  ENABLED = 'enabled',
  /** `istio.io/rev=<revision>`: one named revision injects, for revision-based installs and canary upgrades. */
  REVISION = 'revision',
  /** `istio.io/dataplane-mode=ambient`: no sidecars; ztunnel carries the traffic. */
  AMBIENT = 'ambient',
  /** `istio-injection=disabled`: no injector touches the namespace's pods, whatever their own labels say. */
  DISABLED = 'disabled',
  /** No label: only pods that ask for injection themselves get it. */
  NONE = 'none',
}

import { Problem, revisionProblem, withFix } from './validation';

export class InjectionMode {
  /** Sidecars from the default revision (`istio-injection=enabled`). */
  public static enabled(): InjectionMode {
    return new InjectionMode(InjectionKind.ENABLED);
  }

  /** Sidecars from a named revision or revision tag (`istio.io/rev=<name>`), e.g. `1-30-3` or `stable`. */
  public static revision(name: string): InjectionMode {
    return new InjectionMode(InjectionKind.REVISION, name);
  }

  /** Ambient mode (`istio.io/dataplane-mode=ambient`). */
  public static ambient(): InjectionMode {
    return new InjectionMode(InjectionKind.AMBIENT);
  }

  /** Explicitly no injection (`istio-injection=disabled`); it overrides the pods' own labels. */
  public static disabled(): InjectionMode {
    return new InjectionMode(InjectionKind.DISABLED);
  }

  /** No injection label at all. */
  public static none(): InjectionMode {
    return new InjectionMode(InjectionKind.NONE);
  }

  private constructor(public readonly kind: InjectionKind, public readonly revisionName?: string) {}

  /** The namespace labels this mode stands for. */
  public get labels(): Record<string, string> {
    switch (this.kind) {
      case InjectionKind.ENABLED:
        return { 'istio-injection': 'enabled' };
      case InjectionKind.DISABLED:
        return { 'istio-injection': 'disabled' };
      case InjectionKind.REVISION:
        return { 'istio.io/rev': this.revisionName ?? '' };
      case InjectionKind.AMBIENT:
        return { 'istio.io/dataplane-mode': 'ambient' };
      case InjectionKind.NONE:
        return {};
    }
  }

  /** Why this mode cannot be rendered (a bad revision name), or undefined. */
  public problem(): Problem | undefined {
    return this.kind === InjectionKind.REVISION
      ? withFix(revisionProblem(this.revisionName ?? ''), 'use the revision name (or tag) `istioctl tag list` shows')
      : undefined;
  }

  public toString(): string {
    return this.kind === InjectionKind.REVISION ? `revision(${this.revisionName})` : this.kind;
  }
}
