import { parseKubernetesYaml, toYaml } from '../artifacts/yaml.js';
import { deliveryOf } from '../delivery/index.js';
import { requestOwner } from '../delivery/owner.js';
import { parseRequest, requestApi } from '../kratix/request.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { synthRequest } from '../terraform/stack.js';

/**
 * Runs a Promise's workflow once in memory on its example request, without touching the disk,
 * while a V8 startup snapshot is built: every lazily initialized module and every function on
 * the hot path is then already set up and compiled in the snapshot, not at each container start.
 */
export function warmUp(def: PromiseDefinition, exampleYaml: string): void {
  const api = requestApi(def);
  if (!api.ok) return;
  const request = parseRequest(api.value, parseKubernetesYaml(exampleYaml));
  if (!request.ok) return;
  const synthesized = synthRequest(def, request.value);
  deliveryOf(def).warmUp({
    def,
    action: 'configure',
    dryRun: false,
    request: request.value,
    slug: 'warm-up',
    owner: requestOwner(def.name, request.value.metadata),
    synthesized,
    input: undefined,
    env: {},
    now: new Date(0),
    log: () => {},
  });
  toYaml({ message: 'warm-up', outputs: synthesized.knownOutputs });
}
