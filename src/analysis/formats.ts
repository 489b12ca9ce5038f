/**
 * The string and number formats Istio's and the Gateway API's CRDs use, as ajv format definitions. Kept apart so the
 * precompiled validators (imports/validators/) can require them without loading ajv's compiler.
 *
 * Numeric ones are checked for range: the API server stores any JSON number, but istiod decodes
 * into protobuf types and refuses what does not fit. ajv-formats covers date-time, byte, int32
 * and int64; its float and double accept any number, and it has no unsigned formats, so those are
 * ours.
 */
import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

export const FORMAT_VALIDATORS: Record<string, Format> = {
  'int32': fullFormats.int32,
  'uint32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n <= 4294967295 },
  'int64': fullFormats.int64,
  'uint64': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n <= 2 ** 64 },
  'float': { type: 'number', validate: (n: number) => Number.isFinite(n) && Math.abs(n) <= 3.4028234663852886e38 },
  'double': { type: 'number', validate: (n: number) => Number.isFinite(n) },
  'byte': fullFormats.byte,
  'date-time': fullFormats['date-time'],
  // The Gateway API's addresses.
  'ipv4': fullFormats.ipv4,
  'ipv6': fullFormats.ipv6,
};

/** What a value of each format must be, for messages. */
export const FORMAT_EXPECTATIONS: Record<string, string> = {
  'int32': 'an int32 (-2147483648 to 2147483647)',
  'uint32': 'a uint32 (0 to 4294967295)',
  'int64': 'an int64',
  'uint64': 'a uint64',
  'float': 'a finite 32-bit float',
  'double': 'a finite number',
  'byte': 'base64-encoded bytes',
  'date-time': 'an RFC 3339 date-time (2024-01-31T12:00:00Z)',
  'ipv4': 'an IPv4 address',
  'ipv6': 'an IPv6 address',
};
