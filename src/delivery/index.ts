// The deliveries a Promise can choose, and the default. Everything else sees only `Delivery`.
import type { PromiseDefinition } from '../promise/define-promise.js';
import type { Delivery } from './delivery.js';
import { tofuController } from './tofu-controller/index.js';

export type { Delivery } from './delivery.js';

/** The Promise's delivery, or the default: Flux tofu-controller. */
export function deliveryOf(def: Pick<PromiseDefinition, 'delivery'>): Delivery {
  return def.delivery ?? tofuController();
}
