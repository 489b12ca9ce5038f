/**
 * Numbers protobuf fields take: counts (int32) and percentages.
 */
import { Problem } from './problem';

/** Why `value` is not a whole number from `min` to the int32 maximum, or undefined. */
export function countProblem(value: number | undefined, min = 0): Problem | undefined {
  return value !== undefined && (!Number.isInteger(value) || value < min || value > 2_147_483_647)
    ? { problem: `${value} is not a whole number of at least ${min}`, fix: `use an integer ≥ ${min}` }
    : undefined;
}

/** Why `value` is not a percentage (0–100), or undefined. */
export function percentageProblem(value: number | undefined): Problem | undefined {
  return value !== undefined && (!Number.isFinite(value) || value < 0 || value > 100)
    ? { problem: `${value} is not a percentage`, fix: 'use a number from 0 to 100' }
    : undefined;
}
