// Failures of a Promise author's stack, kept together so the wording is reviewed in one place.
import { relative, sep } from 'node:path';
import type { Issue } from '../schema/issue.js';

/**
 * A failure of the Promise author's code, not of the request or of kratix-cdktf: `stack()` threw,
 * returned the wrong outputs, or built something that cannot be synthesized safely. `issue.path`
 * names the place in the Promise; `cause` is the author's original error.
 */
export class StackError extends Error {
  constructor(
    readonly issue: Issue,
    options?: { cause?: unknown },
  ) {
    super(issue.message, options);
    this.name = 'StackError';
  }
}

/** The author's `fn` threw: where (the first frame in their code) and what. */
export const authorThrew = (fn: string, e: unknown): Issue => ({
  path: `${fn}${authorFrame(e)}`,
  message: `threw ${describe(e)}`,
});

export const outputMissing = (name: string, fn = 'stack()', outputs = 'outputs'): Issue => ({
  path: `${outputs}.${name}`,
  message: `${fn} did not return this declared output`,
  fix: `return { ${name}: ... } from ${fn}, or remove "${name}" from ${outputs}`,
});

export const synthesisFailed = (e: unknown, fn = 'stack()'): Issue => ({
  path: `${fn}${authorFrame(e)}`,
  message: `cdktf could not synthesize what ${fn} built: ${describe(e)}`,
});

export const dataInExpression = (): Issue => ({
  path: 'stack()',
  message: 'request data reached a Terraform expression outside a string literal, where it would be evaluated',
  fix: 'pass request values as attribute values or Fn arguments, never inside an expression string you build (`${...}`)',
});

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message.split('\n')[0]}`;
}

// " at promises/postgres/index.ts:42": the first frame of the author's code, outside packages and
// outside kratix-cdktf itself.
const OWN = `${sep}src${sep}terraform${sep}`;
function authorFrame(e: unknown): string {
  const frames = (e instanceof Error && e.stack ? e.stack.split('\n').slice(1) : []).map((l) => /\(?(?:file:\/\/)?([^\s()]+):(\d+):\d+\)?$/.exec(l.trim()));
  for (const frame of frames) {
    if (!frame) continue;
    const [, file, line] = frame;
    if (!file || file.includes(`${sep}node_modules${sep}`) || file.includes(OWN) || file.startsWith('node:')) continue;
    const promises = file.lastIndexOf(`${sep}promises${sep}`);
    const inside = relative(process.cwd(), file);
    return ` at ${promises >= 0 ? file.slice(promises + 1) : inside.startsWith('..') ? file : inside}:${line}`;
  }
  return '';
}
