// Checks for the string formats Kubernetes validates. Unlisted formats (password, int32, ...)
// are annotations only, as they are for the API server. Dates and times are RFC 3339 as ajv-formats
// checks them (days per month and leap years included: 2026-02-30 is not a date); the rest follow
// Kubernetes' own, more lenient, definitions.
import { fullFormats } from 'ajv-formats/dist/formats.js';

const rfc = (format: 'date' | 'date-time') => {
  const def = fullFormats[format] as { validate: (s: string) => boolean };
  return (s: string) => def.validate(s);
};

const checks: Record<string, (s: string) => boolean> = {
  'date-time': rfc('date-time'),
  datetime: rfc('date-time'),
  date: rfc('date'),
  email: isEmail,
  hostname: (s) => s.length <= 253 && s.split('.').every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    return (isIPv4(ip) && Number(bits) <= 32) || (isIPv6(ip) && Number(bits) <= 128);
  },
  uri: (s) => {
    try {
      return new URL(s).protocol.length > 1;
    } catch {
      return false;
    }
  },
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  duration: (s) => /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s),
  mac: (s) => /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(s),
};

// What /^[^\s@]+@[^\s@]+\.[^\s@]+$/ accepts, in linear time: that regex backtracks quadratically
// on "a@" + ".".repeat(n) + "@", so a 1 MB tenant string held a run for hours.
function isEmail(s: string): boolean {
  const at = s.indexOf('@');
  if (at < 1 || s.includes('@', at + 1) || /\s/.test(s)) return false;
  // A dot in the domain with at least one character on each side.
  return s.slice(at + 2, -1).includes('.');
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(s) || s.split('::').length > 2) return false;
  try {
    return new URL(`http://[${s}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** True when `value` satisfies `format`, or when the format is not one we check. */
export function matchesFormat(format: string, value: string): boolean {
  const check = checks[format];
  return check ? check(value) : true;
}
