/**
 * String order for anything that reaches the output or a report. `localeCompare` follows the
 * machine's locale (`ch` sorts after `h` in Czech, `aa` last in Danish), which would make the
 * same input give different YAML on a laptop and in CI; code-point order never varies.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
