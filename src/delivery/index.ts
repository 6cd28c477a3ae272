// The deliveries a Promise can choose, and the default. Everything else sees only `Delivery`.
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { Delivery } from './delivery.js';
import { manifestsOnly } from './manifests-only/index.js';
import { tofuController, type TofuControllerProps } from './tofu-controller/index.js';

export type { Delivery } from './delivery.js';

/**
 * The Promise's delivery. A Promise with manifests and no stack needs none. Without one otherwise,
 * tofu-controller with no source: synth reports the missing `delivery` (see TofuController.check),
 * so only tests and `render` ever run it.
 */
export function deliveryOf(def: Pick<PromiseDefinition, 'delivery' | 'stack' | 'manifests'>): Delivery {
  if (def.delivery) return def.delivery;
  return !def.stack && def.manifests ? manifestsOnly : tofuController({} as TofuControllerProps);
}
