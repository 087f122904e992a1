import { startHubFromYaml, tempDir, testConfigYaml, type TestHub } from './hub.ts';

/** A camera entry for the test campus (it points at a simulator on loopback). */
export interface TestCamera {
  readonly id: string;
  readonly port: number;
  readonly zone?: string;
  readonly username?: string;
  readonly password?: string;
  readonly offlineAfter?: number;
  readonly termination?: number;
  readonly pullTimeout?: number;
  readonly inputs?: readonly { token: string; kind: string }[];
}

export function cameraYaml(c: TestCamera): string {
  const onvif = {
    host: '127.0.0.1',
    port: c.port,
    username: c.username ?? 'admin',
    password: c.password ?? 'admin123',
    ...(c.termination ? { termination: c.termination } : {}),
    ...(c.pullTimeout ? { pullTimeout: c.pullTimeout } : {}),
    ...(c.inputs ? { inputs: c.inputs } : {}),
  };
  return `  - { id: ${c.id}, profile: onvif-camera, zone: ${c.zone ?? 'gate'}, role: camera${c.offlineAfter ? `, offlineAfter: ${c.offlineAfter}` : ''}, onvif: ${JSON.stringify(onvif)} }\n`;
}

/**
 * The test campus (tests/helpers/hub.ts) plus cameras, started in this process.
 * `testConfigYaml` already has a devices list: the cameras are added to it.
 */
export async function startCameraHub(cameras: readonly TestCamera[], extraYaml = ''): Promise<TestHub> {
  const dir = tempDir('gatehouse-onvif-');
  const yaml = testConfigYaml(dir.path, extraYaml).replace('devices:\n', `devices:\n${cameras.map(cameraYaml).join('')}`);
  return startHubFromYaml(yaml, dir.path, dir.remove);
}
