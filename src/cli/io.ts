/** Where a command writes: stdout for its result, stderr for everything said about it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
