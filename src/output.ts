/**
 * Writing output folders safely: staged beside the target, swapped in at the end, and never over
 * a folder that holds anything cdk8s-istio did not write. Kept free of heavy imports so the
 * synth wrapper starts fast.
 *
 * The swap is two renames (target → old, staged → target), which no file system call does as
 * one. Both sides of it live in a hidden `.cdk8s-istio-staging/` folder next to the target, and
 * every run first repairs what an interrupted one left there: a target that is missing gets its
 * old copy back, leftovers are removed. So whatever stops a run, the user has the previous output
 * or the new one, and at worst for a moment, until the next run puts it back.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A file of the output, relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** Whether the file is a script to run. @default false */
  readonly executable?: boolean;
}

/** The output folder cannot be written as asked; the previous output is as it was. */
export class OutputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Marks a folder as written by cdk8s-istio, so replacing it later can never delete anything else. */
export const OUTPUT_MARKER = '.cdk8s-istio-output';

export const OUTPUT_MARKER_TEXT = 'Written by cdk8s-istio: this folder is replaced as a whole on every synth.\n';

/** Where staged and replaced copies of output folders live: next to them, hidden, never committed. */
export const STAGING_DIR = '.cdk8s-istio-staging';

/**
 * Throws unless `outdir` may be replaced as a whole: it does not exist, is empty, or carries our
 * marker. Everything that swaps an output folder calls this first.
 */
export function assertReplaceable(outdir: string, shownAs: string = outdir): void {
  const target = path.resolve(outdir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return;
  }
  if (!stat.isDirectory()) {
    throw new OutputError(`${shownAs} is a file, not an output folder: choose a folder to write into`);
  }
  const entries = fs.readdirSync(target);
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    throw new OutputError(`${shownAs} already holds files cdk8s-istio did not write; it replaces its output folder as a whole, so choose a new or empty folder`);
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a folder we own, read-only entries included (`chmod 555` on an output folder). */
function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    const makeWritable = (p: string) => {
      try {
        const stat = fs.lstatSync(p);
        if (stat.isDirectory()) {
          fs.chmodSync(p, 0o700);
          for (const e of fs.readdirSync(p)) {
            makeWritable(path.join(p, e));
          }
        }
      } catch {
        // Whatever cannot be made writable is reported by the second attempt.
      }
    };
    makeWritable(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The staging folder for `target`, created on demand. */
function stagingRoot(target: string): string {
  return path.join(path.dirname(target), STAGING_DIR);
}

/** Removes the staging folder once nothing is staged in it (another run may still use it). */
export function removeStagingRootIfEmpty(target: string): void {
  try {
    fs.rmdirSync(stagingRoot(target));
  } catch {
    // Not empty, or already gone.
  }
}

/**
 * Repairs what an interrupted swap of `target` left behind: if the target is missing and an old
 * copy survives, it is put back; stale staged and old copies of processes that are gone are
 * removed, and the staging folder too once it is empty.
 */
export function recoverInterruptedSwap(target: string, report: (message: string) => void = (m) => process.stderr.write(m)): boolean {
  const root = stagingRoot(target);
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return false;
  }
  let restored = false;
  const base = path.basename(target);
  const mine = entries
    .map((name) => ({ name, m: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(new|old)-(\\d+)(?:-\\d+)?$`).exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null && !alive(Number(e.m[2])));
  if (!fs.existsSync(target)) {
    const old = mine.find((e) => e.m[1] === 'old');
    if (old) {
      fs.renameSync(path.join(root, old.name), target);
      restored = true;
      const rel = path.relative(process.cwd(), target);
      report(`restored ${rel && !rel.startsWith('..') ? rel : target}/ from an interrupted synth\n`);
    }
  }
  for (const e of mine) {
    const p = path.join(root, e.name);
    if (fs.existsSync(p)) {
      removeTree(p);
    }
  }
  removeStagingRootIfEmpty(target);
  return restored;
}

let sequence = 0;

/**
 * A fresh folder to stage `target`'s next content in, beside it (so the final rename never
 * crosses file systems). Repairs an interrupted earlier swap first.
 */
export function stageFor(target: string): string {
  recoverInterruptedSwap(target);
  const root = stagingRoot(target);
  fs.mkdirSync(root, { recursive: true });
  const staged = path.join(root, `${path.basename(target)}.new-${process.pid}-${sequence++}`);
  fs.mkdirSync(staged);
  return staged;
}

/**
 * Puts `staged` in place of `target`. If the second rename fails, the old copy goes back before
 * the error is raised; the old copy is removed only once the new one is in place.
 */
export function swapIn(staged: string, target: string): void {
  const old = path.join(stagingRoot(target), `${path.basename(target)}.old-${process.pid}-${sequence++}`);
  const hadTarget = fs.existsSync(target);
  if (hadTarget) {
    fs.renameSync(target, old);
  }
  try {
    fs.renameSync(staged, target);
  } catch (e) {
    if (hadTarget) {
      fs.renameSync(old, target);
    }
    throw e;
  }
  if (hadTarget) {
    try {
      removeTree(old);
    } catch {
      // The new output is in place; the next run removes what is left of the old one.
    }
  }
  removeStagingRootIfEmpty(target);
}

/** An fs error as one line for users: what could not be done, where, and why. */
export function describeFsError(e: unknown, what: string): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    ENAMETOOLONG: 'a file name is too long',
    EDQUOT: 'the disk quota is exceeded',
    EPIPE: 'the reader closed the pipe',
    EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  const where = err.path ? ` (${err.path.length > 160 ? `${err.path.slice(0, 80)}…${err.path.slice(-60)}` : err.path})` : '';
  return `${what}: ${why[err.code ?? ''] ?? err.message}${where}`;
}

/**
 * Replaces `outdir` with exactly `files`, staging next to it and swapping at the end, so a
 * failure half way leaves the previous output as it was. A folder that exists, holds anything,
 * and was not written by us is refused rather than replaced: `-o .` must not delete a project.
 */
export function writeFiles(outdir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outdir);
  assertReplaceable(outdir);
  let staging: string | undefined;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    staging = stageFor(target);
    // The staging folder is created private; the output is meant to be read like any other.
    fs.chmodSync(staging, 0o777 & ~process.umask());
    fs.writeFileSync(path.join(staging, OUTPUT_MARKER), OUTPUT_MARKER_TEXT);
    for (const file of files) {
      const dest = path.join(staging, file.path);
      if (!dest.startsWith(`${staging}${path.sep}`)) {
        throw new OutputError(`output file ${file.path} would land outside ${outdir}`);
      }
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, file.content, file.executable ? { mode: 0o777 & ~process.umask() } : {});
    }
    swapIn(staging, target);
    staging = undefined;
  } catch (e) {
    try {
      if (staging) {
        removeTree(staging);
      }
    } catch {
      // Cleaned by the next run.
    }
    removeStagingRootIfEmpty(target);
    if (e instanceof OutputError) {
      throw e;
    }
    throw new OutputError(describeFsError(e, `cannot write ${outdir.length > 120 ? `${outdir.slice(0, 60)}…${outdir.slice(-40)}` : outdir}`));
  }
}
