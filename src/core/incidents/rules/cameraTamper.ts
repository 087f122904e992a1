import { singleEventRule } from '../rule.ts';

/** A camera covered, moved or defocused (its tamper analytics). */
export const cameraTamperRule = singleEventRule({
  name: 'cameraTamper',
  on: 'camera.tamper',
  opens: 'camera_tamper',
  severity: 'high',
  title: (e) => `Camera ${e.deviceId} tampered with`,
});
