export { Simulation, type SimulationOptions, type SimulationResult } from './simulation.js';
export { simulationSettings, DEFAULT_SPEED, type SimulationSettings } from './settings.js';
export {
  OrderStream,
  newSimMessage,
  type SimMessage,
  type StreamOptions,
  type MessageKind,
} from './order-stream.js';
export { LedgerBuilder } from './ledger-builder.js';
export type { SimulatorSnapshot, SimulatorStore } from './snapshot-types.js';
