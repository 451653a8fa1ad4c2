import type { Knobs } from './knobs.js';
import type { Row } from './row.js';

/** One file in bench/scenarios/ exports one of these. */
export interface Scenario {
  name: string;
  /** One line for `npm run bench -- --help`. */
  description: string;
  run(knobs: Knobs): Promise<Row[]>;
}
