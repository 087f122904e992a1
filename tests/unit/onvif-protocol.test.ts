import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { digestAuthorization, parseChallenges } from '../../src/transports/onvif/digest.ts';
import { OnvifError, readCameraClock, SoapClient } from '../../src/transports/onvif/soap.ts';
import { discover, parseProbeMatches } from '../../src/transports/onvif/discovery.ts';
import { HttpDigestVerifier } from '../../simulators/onvif-camera/security.ts';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { makeJpeg } from '../../simulators/onvif-camera/jpeg.ts';

describe('HTTP Digest (RFC 7616), checked by the simulator’s own verifier', () => {
  const verifier = new HttpDigestVerifier('cam realm');
  const creds = { username: 'admin', password: '密码-pass' };

  it('answers a qop=auth MD5 challenge', () => {
    const [challenge] = parseChallenges(verifier.challenge(Date.now()));
    const header = digestAuthorization(challenge!, 'GET', '/onvif/snapshot.jpg?profile=1', creds.username, creds.password);
    expect(verifier.verify(header, 'GET', creds)).toBe(true);
    expect(verifier.verify(header, 'GET', { ...creds, password: 'wrong' })).toBe(false);
  });

  it('prefers SHA-256 when a camera offers both (two WWW-Authenticate headers)', () => {
    const list = parseChallenges(['Digest qop="auth", realm="IP Camera", nonce="a1"', 'Digest qop="auth", realm="IP Camera", nonce="b2", algorithm="SHA-256"']);
    expect(list.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
  });
});

describe('against the simulated camera', () => {
  const sim = new OnvifCameraSimulator({ clockOffsetMs: 600_000, info: { model: 'DS-2CD2143G2' } });
  const agent = new Agent();
  beforeAll(async () => void (await sim.start()));
  afterAll(async () => {
    await sim.stop();
    await agent.close();
  });

  it('reads a camera clock 10 minutes fast, to about a second', async () => {
    const soap = new SoapClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'admin123' }, agent);
    const offset = await readCameraClock(soap, 2000);
    expect(Math.abs(offset - 600_000)).toBeLessThan(2_000);
  });

  it('a UsernameToken written by our clock is refused by the camera until the offset is applied', async () => {
    const soap = new SoapClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'admin123' }, agent);
    const url = soap.serviceUrl(undefined, '/onvif/device_service');
    const body = '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>';
    const refused = await soap.call(url, body, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OnvifError);
    expect((refused as OnvifError).kind).toBe('auth');
    soap.clockOffsetMs = await readCameraClock(soap, 2000);
    const answer = await soap.call(url, body, { timeoutMs: 2000 });
    expect(answer.localName).toBe('GetDeviceInformationResponse');
  });

  it('finds the camera with a unicast WS-Discovery probe', async () => {
    const found = await discover({ target: { host: '127.0.0.1', port: sim.discoveryPort! }, timeoutMs: 500 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ host: '127.0.0.1', port: sim.port, model: 'DS-2CD2143G2' });
  });
});

describe('WS-Discovery answers', () => {
  it('ignores a ProbeMatches that answers another probe', () => {
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
      <s:Header><a:RelatesTo>urn:uuid:other</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>
      <d:Scopes>onvif://www.onvif.org/hardware/X</d:Scopes><d:XAddrs>http://10.0.0.21/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
    expect(parseProbeMatches(xml, 'urn:uuid:mine')).toEqual([]);
    expect(parseProbeMatches(xml)[0]).toMatchObject({ address: '10.0.0.21:80', model: 'X' });
  });
});

describe('the simulator’s JPEG', () => {
  it('is a baseline JPEG: SOI, SOF0, SOS, EOI', () => {
    const jpeg = makeJpeg({ frame: 1 });
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(jpeg.includes(Buffer.from([0xff, 0xc0]))).toBe(true);
    expect(jpeg.includes(Buffer.from([0xff, 0xda]))).toBe(true);
    expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(makeJpeg({ frame: 2 }).equals(jpeg)).toBe(false);
  });
});
