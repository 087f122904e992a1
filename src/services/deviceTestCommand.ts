/**
 * The `mosquitto_pub` line an installer pastes to prove a new device's
 * credentials: it reports the device online on its status topic (its card in
 * the console turns online; no event, no incident), over TLS when the hub has
 * only its TLS listener. Every part is shell-quoted; a host that is not
 * a plain name or address (it comes from the request's Host header) becomes a
 * placeholder rather than text a shell would run.
 */
export function testCommand(deviceId: string, secret: string, broker: { host: string; port: number; tls: boolean }): string {
  const host = /^[A-Za-z0-9.:-]{1,253}$/.test(broker.host) ? broker.host : 'HUB-ADDRESS';
  return [
    'mosquitto_pub',
    '-h', quote(host),
    '-p', String(broker.port),
    ...(broker.tls ? ['--cafile', 'campus-ca.pem'] : []),
    '-i', quote(deviceId),
    '-u', quote(deviceId),
    '-P', quote(secret),
    '-q', '1',
    '-t', quote(`devices/${deviceId}/status`),
    '-m', 'online',
  ].join(' ');
}

/** POSIX single quotes: nothing inside is special except the quote itself. */
function quote(text: string): string {
  return /^[A-Za-z0-9._/:@=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
