import { expect, test } from 'vitest';
import { invalidUtf8Offset } from '../../src/workflow/input.js';

const decodes = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

test.each([
  ['é in Latin-1 before a quote', [0x61, 0xe9, 0x22], 1],
  ['an overlong slash', [0xc0, 0xaf], 0],
  ['a UTF-16 surrogate', [0x61, 0x62, 0xed, 0xa0, 0x80], 2],
  ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
  ['a stray continuation byte', [0x61, 0x80], 1],
  ['a character cut off at the end', [0x61, 0xe2, 0x82], 1],
])('the offset of the first bad sequence: %s', (_name, bytes, offset) => {
  expect(invalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  expect(decodes(Uint8Array.from(bytes))).toBe(false);
});

test('finds a bad sequence exactly when TextDecoder refuses the bytes, and everything before it decodes', () => {
  // Bytes near UTF-8's boundaries, from a fixed seed, so the run is the same every time.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
  for (let n = 0; n < 20_000; n++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick[Math.floor(random() * pick.length)]!);
    const offset = invalidUtf8Offset(bytes);
    expect(offset === -1, `${[...bytes]}`).toBe(decodes(bytes));
    if (offset > 0) expect(decodes(bytes.subarray(0, offset)), `${[...bytes]}`).toBe(true);
  }
});
