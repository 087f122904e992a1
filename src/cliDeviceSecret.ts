import { parseArgs } from 'node:util';
import { DEVICE_SECRET_MIN_LENGTH, generateDeviceSecret, hashDeviceSecret } from './auth/deviceSecrets.ts';

/**
 * `gatehouse device-secret`: a new random secret for an MQTT device, printed
 * once with the `secretHash:` line for the config — the hub never stores the
 * secret itself. `--stdin` hashes a secret a device already has instead.
 */
export const DEVICE_SECRET_USAGE = `  gatehouse device-secret [--id ID] [--stdin]
                                    print a new random device secret (once) and the secretHash line for devices[];
                                    --stdin: hash the secret read on stdin instead (at least ${DEVICE_SECRET_MIN_LENGTH} characters)`;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export async function deviceSecretCommand(args: string[], readStdin: () => Promise<string>): Promise<number> {
  const { values } = parseArgs({ args, options: { id: { type: 'string' }, stdin: { type: 'boolean' } } });
  if (values.id !== undefined && !ID.test(values.id)) {
    process.stderr.write(`gatehouse: --id ${JSON.stringify(values.id)} is not a device id (letters, digits and _ . : - only)\n`);
    return 2;
  }
  const device = values.id ? `device ${values.id}` : 'the device';
  if (values.stdin) {
    const secret = (await readStdin()).replace(/\r?\n$/, '');
    if (secret.length < DEVICE_SECRET_MIN_LENGTH) {
      process.stderr.write(`gatehouse: a device secret needs at least ${DEVICE_SECRET_MIN_LENGTH} characters; run without --stdin for a random one\n`);
      return 1;
    }
    process.stdout.write(`secretHash: "${hashDeviceSecret(secret)}"\n`);
    return 0;
  }
  const secret = generateDeviceSecret();
  process.stdout.write(
    [
      `Secret for ${device} — set it as its MQTT password now; it is shown only this once:`,
      `  ${secret}`,
      `For ${values.id ? `the entry of ${values.id}` : 'its entry'} under devices: in the config (instead of secret:):`,
      `  secretHash: "${hashDeviceSecret(secret)}"`,
      '',
    ].join('\n'),
  );
  return 0;
}
