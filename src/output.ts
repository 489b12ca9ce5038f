/**
 * Writing output folders safely: staged next to the target and swapped in at the end, and never
 * over a folder that holds anything cdk8s-istio did not write. Kept free of heavy imports so the
 * synth wrapper starts fast.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A file of the output, relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** The output folder cannot be written as asked; nothing was changed. */
export class OutputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Marks a folder as written by cdk8s-istio, so replacing it later can never delete anything else. */
export const OUTPUT_MARKER = '.cdk8s-istio-output';

/**
 * Throws unless `outdir` may be replaced as a whole: it does not exist, is empty, or carries our
 * marker. Everything that swaps an output folder calls this first.
 */
export function assertReplaceable(outdir: string): void {
  const target = path.resolve(outdir);
  if (!fs.existsSync(target)) {
    return;
  }
  if (!fs.statSync(target).isDirectory()) {
    throw new OutputError(`${outdir} is a file, not an output folder: choose a folder to write into`);
  }
  const entries = fs.readdirSync(target);
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    throw new OutputError(`${outdir} already holds files cdk8s-istio did not write; it replaces its output folder as a whole, so choose a new or empty folder`);
  }
}

/**
 * Replaces `outdir` with exactly `files`, staging next to it and swapping at the end, so a
 * failure half way leaves the previous output as it was. A folder that exists, holds anything,
 * and was not written by us is refused rather than replaced: `-o .` must not delete a project.
 */
export function writeFiles(outdir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outdir);
  assertReplaceable(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    // mkdtemp creates the folder private (0700); the output is meant to be read like any other.
    fs.chmodSync(staging, 0o777 & ~process.umask());
    fs.writeFileSync(path.join(staging, OUTPUT_MARKER), 'Written by cdk8s-istio: this folder is replaced as a whole on every synth.\n');
    for (const file of files) {
      const dest = path.join(staging, file.path);
      if (!dest.startsWith(`${staging}${path.sep}`)) {
        throw new Error(`output file ${file.path} would land outside ${outdir}`);
      }
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, file.content);
    }
    const old = `${target}.old-${process.pid}`;
    if (fs.existsSync(target)) {
      fs.renameSync(target, old);
    }
    fs.renameSync(staging, target);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
