import { singleEventRule } from '../rule.ts';

/** A camera's video signal lost. Its own toggle: turning camera tamper off no longer silences it. */
export const videoLossRule = singleEventRule({
  name: 'videoLoss',
  on: 'camera.video_loss',
  opens: 'camera_video_loss',
  severity: 'high',
  title: (e) => `Camera ${e.deviceId} lost video`,
});
