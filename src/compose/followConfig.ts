import { buildTransports } from '../transports/index.ts';
import type { LiveConfig } from '../services/liveConfig.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Domain } from './domain.ts';
import type { Edges } from './edges.ts';
import { engineConfigFrom, hazardSettings } from './settings.ts';

/**
 * A reloaded config, or a device or card list changed through the API: each
 * part follows, in this order, and nobody else is dropped. Removed devices and
 * devices whose credentials changed are disconnected; serial and camera links
 * are rebuilt only when a link's own settings changed.
 */
export function followLiveConfig(live: LiveConfig, domain: Domain, edges: Edges, clock: Clock, log: Logger): void {
  live.onChange((next, diff) => {
    edges.accounts.replace(next.devices, next.bridges);
    for (const id of diff.devicesRemoved) edges.broker.disconnect(id, 'the device was removed');
    for (const id of diff.reconnect) edges.broker.disconnect(id, 'its secret, profile or role changed: it must sign in again');
    const bridgeClosed = 'the bridge was removed, or its secret or base topic changed: it must sign in again';
    const closedBridges = diff.bridgesClosed.filter((id) => edges.broker.disconnect(id, bridgeClosed));
    domain.devices.reconfigure(next.devices, clock.now());
    edges.bridges.reconfigure(next.bridges, next.devices);
    // Its last will is not published when the hub closes it: its devices are unreachable until it is back.
    for (const id of closedBridges) edges.bridges.closed(id, bridgeClosed, clock.now());
    domain.incidents.reconfigure(engineConfigFrom(next));
    domain.hazards.reconfigure(hazardSettings(next));
    const signedOut = edges.auth.reconfigure(next.users);
    if (signedOut.length > 0) log.info({ users: signedOut }, `signed out ${signedOut.length} user(s) removed or changed in the config file`);
    for (const id of [...diff.devicesAdded, ...diff.devicesChanged]) domain.devices.announce(id, false);
  });
  live.onChange(async (next, diff) => {
    if (!diff.linksChanged) return;
    const { transports } = edges;
    await Promise.allSettled(transports.map((t) => t.stop()));
    const rebuilt = await buildTransports(next, edges.transportContext);
    for (const t of rebuilt) await t.start();
    transports.splice(0, transports.length, ...rebuilt);
  });
}
