/**
 * `gatehouse discover --zigbee`: the devices each Zigbee2MQTT bridge has paired
 * (its retained bridge/devices, as the running hub heard it) and which the config
 * does not have yet, with a line to paste for each. Asks the hub's API as an
 * admin (the password on stdin), since only the hub hears the bridge.
 */

interface Paired {
  readonly friendlyName: string;
  readonly ieeeAddress: string;
  readonly vendor?: string;
  readonly model?: string;
  readonly description?: string;
  readonly configuredAs: string | null;
}
interface Bridge {
  readonly id: string;
  readonly online: boolean | null;
  readonly pairedAt: number | null;
  readonly paired: readonly Paired[];
}

/** A profile to suggest from herdsman's description (`SOS button`, `Door sensor`, `Contact sensor`). */
function profileGuess(d: Paired): string {
  const text = `${d.description ?? ''} ${d.model ?? ''}`.toLowerCase();
  if (/sos|emergency|panic/.test(text)) return 'zigbee-sos';
  if (/door|window|contact|magnet/.test(text)) return 'zigbee-contact';
  return 'zigbee-CHANGE-ME';
}

export async function discoverZigbee(hub: string, user: string, password: string, json: boolean, out: (text: string) => void): Promise<void> {
  const login = await fetch(`${hub}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
  if (login.status !== 200) throw new Error(`signing in to ${hub} as ${user} failed: HTTP ${login.status}`);
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${hub}/api/v1/bridges`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${hub}/api/v1/bridges: HTTP ${res.status} (an admin's sign-in is needed)`);
  const { items } = (await res.json()) as { items: Bridge[] };
  if (json) {
    out(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    out('the hub has no bridges (add one under bridges: in the config)\n');
    return;
  }
  const rows: string[][] = [];
  for (const b of items) {
    if (b.pairedAt === null) out(`bridge ${b.id}: no bridge/devices list heard yet (is Zigbee2MQTT connected?)\n`);
    for (const d of b.paired) rows.push([b.id, d.friendlyName, d.ieeeAddress, `${d.vendor ?? '?'} ${d.model ?? '?'}`, d.configuredAs === null ? 'no' : `yes: ${d.configuredAs}`]);
  }
  if (rows.length === 0) return;
  const header = ['BRIDGE', 'FRIENDLY NAME', 'IEEE', 'MODEL', 'IN CONFIG'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  out(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  const missing = items.flatMap((b) => b.paired.filter((d) => d.configuredAs === null).map((d) => ({ bridge: b.id, d })));
  if (missing.length === 0) return;
  out('\nTo add one, under devices: in the config:\n');
  for (const { bridge, d } of missing) {
    out(`  - { id: CHANGE-ME, profile: ${profileGuess(d)}, zone: ZONE, bridge: ${bridge}, friendlyName: ${JSON.stringify(d.friendlyName)} }\n`);
  }
}
