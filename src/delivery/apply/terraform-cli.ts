import { spawn } from 'node:child_process';

/** What one terraform command did. */
export interface TerraformRun {
  readonly code: number;
  /** Error diagnostics, "summary: detail", from -json output or plain stderr. */
  readonly errors: string[];
  /** The change summary Terraform reported, if any. */
  readonly changes?: { readonly add: number; readonly change: number; readonly remove: number };
  readonly stdout: string;
  /** A plan run with -detailed-exitcode that exited 2 (taken as success): it plans changes. */
  readonly plansChanges?: boolean;
  /**
   * Set when the caller's signal stopped the command: `exited` when terraform stopped by itself
   * after its SIGTERM, `killed` when it was still running at the deadline and got SIGKILL.
   */
  readonly stopped?: { readonly how: 'exited' | 'killed'; readonly afterMs: number };
}

/** How terraform is run: where, with which environment, and what must never be shown. */
export interface TerraformCliProps {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress lines (already redacted) go here. */
  readonly log: (line: string) => void;
  readonly redact: (text: string) => string;
  /** @default "terraform" on the PATH */
  readonly binary?: string;
  /**
   * Stops the command. On abort, terraform gets one SIGTERM, which it takes as an interrupt: it
   * stops the operation, persists the state and releases the state lock. If it is still running
   * `killAfterMs` later, it gets SIGKILL. With a signal, terraform runs in a process group of its
   * own: only the caller signals it, once (Terraform takes a second interrupt as "exit now",
   * without saving the state; a terminal's Ctrl+C reaches the whole foreground group), and what
   * it leaves running when it exits (a provisioner's command) is killed with the group.
   * @default undefined: the command runs to its end
   */
  readonly signal?: AbortSignal;
  /** How long terraform gets to stop after its SIGTERM. @default 25 000 ms ({@link DEFAULT_STOP_TIMEOUT_MS}) */
  readonly killAfterMs?: number;
}

/**
 * How long terraform gets to stop after a SIGTERM before it is killed: under Kubernetes' default
 * terminationGracePeriodSeconds (30 s), so that the workflow still writes status and exits before
 * the kubelet kills the container.
 */
export const DEFAULT_STOP_TIMEOUT_MS = 25_000;

/**
 * Runs one terraform command. With `json`, machine-readable lines are parsed for diagnostics and
 * the change summary, and the human-readable message of each is logged.
 */
export function terraform(props: TerraformCliProps, args: readonly string[], json = false): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const { signal } = props;
    const child = spawn(props.binary ?? 'terraform', [...args], {
      cwd: props.cwd,
      env: cleanEnv(props.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: signal !== undefined,
    });
    let stdout = '';
    let stderr = '';
    let stopped: { how: 'exited' | 'killed'; at: number } | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = { how: 'exited', at: Date.now() };
      child.kill('SIGTERM');
      deadline = setTimeout(() => {
        stopped = { how: 'killed', at: stopped!.at };
        props.log(`  terraform had not stopped ${((props.killAfterMs ?? DEFAULT_STOP_TIMEOUT_MS) / 1000).toFixed(1)} s after SIGTERM: killing it`);
        killGroup(child.pid);
      }, props.killAfterMs ?? DEFAULT_STOP_TIMEOUT_MS);
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    let exitedAt = 0;
    child.on('exit', () => {
      exitedAt = Date.now();
      clearTimeout(deadline);
      signal?.removeEventListener('abort', stop);
      if (!stopped) return;
      // Terraform does not wait for what it started (a provisioner's command): it goes with the group.
      killGroup(child.pid);
      // A process outside the group that still holds terraform's output would keep 'close' away.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000).unref();
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (e) => {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', stop);
      reject(new Error(`cannot run terraform: ${e.message}`));
    });
    child.on('close', (code) => {
      const errors: string[] = [];
      let changes: TerraformRun['changes'];
      if (json) {
        for (const line of stdout.split('\n')) {
          const event = tryJson(line);
          if (!event) continue;
          if (typeof event['@message'] === 'string' && event.type !== 'version') props.log(`  ${props.redact(event['@message'])}`);
          const diagnostic = event.diagnostic as { severity?: string; summary?: string; detail?: string } | undefined;
          if (event.type === 'diagnostic' && diagnostic?.severity === 'error') errors.push(joinDiagnostic(diagnostic.summary, diagnostic.detail));
          if (event.type === 'change_summary') changes = event.changes as TerraformRun['changes'];
        }
      }
      if (code !== 0 && errors.length === 0) errors.push(...plainErrors(stderr || stdout));
      resolve({
        code: code ?? 1,
        errors: errors.map(props.redact),
        ...(changes ? { changes } : {}),
        stdout,
        ...(stopped ? { stopped: { how: stopped.how, afterMs: (exitedAt || Date.now()) - stopped.at } } : {}),
      });
    });
  });
}

// SIGKILL to terraform's process group (it leads one when it runs with a signal); nothing to do
// when the group is gone.
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: no process is left in the group.
  }
}

/** Set for every terraform command: Terraform must never be asked anything, never call home, and always print without colour. */
export const TERRAFORM_ENV: Readonly<Record<string, string>> = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', NO_COLOR: '1' };

function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return { ...out, ...TERRAFORM_ENV };
}

function tryJson(line: string): Record<string, any> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return undefined;
  }
}

function joinDiagnostic(summary = 'error', detail = ''): string {
  const text = detail.trim() ? `${summary}: ${detail.trim()}` : summary;
  return text.replace(/\s+/g, ' ');
}

// Plain-text output (init has no -json here): every "Error: ..." line with its first detail paragraph.
function plainErrors(text: string): string[] {
  const errors: string[] = [];
  const lines = text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  for (let i = 0; i < lines.length; i++) {
    const match = /^Error: (.*)$/.exec(lines[i]!.trim());
    if (!match) continue;
    const detail: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    for (; j < lines.length && lines[j]!.trim() !== '' && !/^Error: /.test(lines[j]!.trim()); j++) detail.push(lines[j]!.trim());
    errors.push(joinDiagnostic(match[1], detail.join(' ')));
  }
  return errors.length ? errors : [unboxedCause(text) || 'terraform failed without a message'];
}

// Some failures (a backend's lock refusal) are printed without "Error:", after warning boxes and
// before details such as "Lock Info:". The cause is the first lines outside the boxes, not the
// last lines of the text.
function unboxedCause(text: string): string {
  const out: string[] = [];
  let boxed = false;
  for (const raw of text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('╷')) boxed = true;
    else if (line.startsWith('╵')) boxed = false;
    else if (!boxed && line && !/^There are some problems with the CLI configuration:$/.test(line)) {
      if (/^Lock Info:$/.test(line)) break;
      out.push(line);
    }
  }
  return out.slice(0, 3).join(' ');
}

// Names of variables whose values are treated as credentials.
const CREDENTIAL_NAME = /PASSWORD|SECRET|TOKEN|CONN_STR|CREDENTIAL|ACCESS_KEY|PRIVATE|^TF_VAR_/i;

/**
 * A redactor for everything the workflow writes or logs: removes the values of credential-like
 * environment variables and of resolved secrets, wherever they appear.
 */
export function redactor(env: Readonly<Record<string, string | undefined>>, secrets: readonly string[]): (text: string) => string {
  const raw = [...credentialEntries(env).map(([, value]) => value), ...secrets];
  const values = [...new Set(raw.flatMap(forms))].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => values.reduce((t, v) => t.split(v).join('(redacted)'), text);
}

/**
 * The names of credential-like environment variables whose values appear in `text`, sorted; for
 * checking files that must hold none. Values under 8 characters are ignored: a flag such as
 * `X_TOKEN_ENABLED=true` is no credential, and "true" is in most configurations.
 */
export function credentialsIn(env: Readonly<Record<string, string | undefined>>, text: string): string[] {
  return credentialEntries(env)
    .filter(([, value]) => forms(value).some((form) => form.length >= 8 && text.includes(form)))
    .map(([name]) => name)
    .sort();
}

function credentialEntries(env: Readonly<Record<string, string | undefined>>): [string, string][] {
  return Object.entries(env).filter((entry): entry is [string, string] => !!entry[1] && CREDENTIAL_NAME.test(entry[0]));
}

// The forms a value takes on its way through Terraform: trimmed (Secrets made from files end in a
// newline) and escaped inside JSON or HCL strings.
function forms(value: string): string[] {
  return [value, value.trim(), JSON.stringify(value).slice(1, -1), JSON.stringify(value.trim()).slice(1, -1)];
}
