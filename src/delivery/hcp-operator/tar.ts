// The .tar.gz HCP Terraform takes as a configuration version: a few regular files in one
// folder, so a minimal POSIX ustar writer does, with no dependency and no file system.
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/**
 * A gzipped ustar archive of `files` (name → UTF-8 text), in the given order. Names are plain
 * file names of at most 100 bytes. Every header carries mode 0644, owner 0:0 and time 0, so the
 * same files always give the same bytes.
 */
export function tarGz(files: ReadonlyMap<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of files) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name === '.' || name === '..') throw new Error(`tar: ${JSON.stringify(name)} is not a plain file name`);
    const body = Buffer.from(text, 'utf8');
    parts.push(header(name, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  // Two zero blocks end the archive.
  parts.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(parts));
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, text: string) => h.write(text, offset, length, 'ascii');
  // Numbers are octal, NUL-terminated, zero-padded to fill their field.
  const octal = (offset: number, length: number, n: number) => field(offset, length, `${n.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  field(148, 8, '        '); // the checksum counts its own field as spaces
  field(156, 1, '0'); // a regular file
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of h) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}
