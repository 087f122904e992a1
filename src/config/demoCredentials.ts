import { createHash } from 'node:crypto';
import type { GatehouseConfig } from './types.ts';
import { verifyPassword } from '../auth/password.ts';

/** The demo's users and their published passwords (README, config/gatehouse.yaml). */
const DEMO_PASSWORDS: Readonly<Record<string, string>> = { guard1: 'guard1-demo', officer1: 'officer1-demo', admin1: 'admin1-demo' };
/** The demo config's exact hashes of those passwords: a copied file is caught without running scrypt. */
const DEMO_HASHES = new Set([
  'scrypt$131072$8$1$kBk1RjThhJ2SMIuxF9P1aw$ptvcKXwnRKCz6dCwprRsPKwi0Ded3xLiTOYWNVMYf-o',
  'scrypt$131072$8$1$dll2BIfxUyBXQcFqB9u1mg$_wn0F8pJuqPSB0SdSZ4TNLWvZ1P1Lm0HrOkfEoWZ2Sw',
  'scrypt$131072$8$1$ZcLfPpvvQSdTxQUJdjwdIg$X2csT_CpUSD-o67xtosupj7WaznVRWiZfMKazQqHgms',
]);
const DEMO_SECRET = /^demo-secret-/;

/**
 * Where a config holds the published demo credentials, as `path: reason` lines
 * (the secret itself is never printed). `gatehouse start` refuses such a config;
 * only `gatehouse demo` runs it. A demo user's name is checked against its demo
 * password with scrypt (three checks at most, only for those names), so a config
 * that re-hashed `admin1-demo` is caught too. Those checks cost a second or more
 * on a small box, at every start — also the restart after a crash, when devices
 * wait — so a hash once found not to be a demo password is remembered in
 * `cleared` (the caller keeps it in the data directory) and not checked again.
 */
export async function demoCredentialsIn(config: GatehouseConfig, cleared: Set<string> = new Set()): Promise<string[]> {
  const problems: string[] = [];
  config.devices.forEach((device, i) => {
    const secret = (device as { secret?: unknown }).secret;
    if (typeof secret === 'string' && DEMO_SECRET.test(secret)) {
      problems.push(`devices[${i}].secret: ${device.id} uses a published demo secret (demo-secret-…); give it its own random secret`);
    }
  });
  await Promise.all(
    config.users.map(async (user, i) => {
      const demoPassword = DEMO_PASSWORDS[user.username];
      const key = clearedKey(user.username, user.passwordHash);
      const published =
        DEMO_HASHES.has(user.passwordHash) || (demoPassword !== undefined && !cleared.has(key) && (await verifyPassword(demoPassword, user.passwordHash)));
      if (!published && demoPassword !== undefined) cleared.add(key);
      if (published) problems.push(`users[${i}].passwordHash: ${user.username} has a published demo password; set a new one with gatehouse hash-password`);
    }),
  );
  return problems.sort();
}

/** What `cleared` holds for a user: a digest of the name and hash (no hash itself on disk twice). */
export function clearedKey(username: string, passwordHash: string): string {
  return createHash('sha256').update(`${username}\u0000${passwordHash}`).digest('hex');
}
