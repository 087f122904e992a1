// Benchmark only (`GATEHOUSE_FROM_SOURCE=1 node --import tsx --import ./tests/bench/seriesOff.ts src/bin.js start …`):
// makes series maintenance a no-op in this process, so `tests/bench/ingest.ts
// --series off` measures ingest without it. Never loaded by the hub itself.
import { SqliteSeries } from '../../src/store/seriesSqlite.ts';

SqliteSeries.prototype.events = function events(): void {};
