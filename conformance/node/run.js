// The MPC recording calls as a Node.js user writes them with plivo, run against the emulator.
//
// plivo for Node takes a proxy in its client options ({proxy}); Node trusts the emulator's CA through
// NODE_EXTRA_CA_CERTS. Without a proxy (name-mapping route) it finds api.plivo.com in /etc/hosts.
// One JSON line per step. Run from a directory whose node_modules holds plivo.
const fs = require('fs');
const plivo = require('plivo');

const emit = (step, fields = {}) => console.log(JSON.stringify({step, ...fields}));
const failure = (e) => `${e.constructor.name}: ${e.message}`;

(async () => {
  const options = process.env.HTTPS_PROXY ? {proxy: process.env.HTTPS_PROXY} : {};
  const client = new plivo.Client(process.env.PLIVO_AUTH_ID, process.env.PLIVO_AUTH_TOKEN, options);
  const mpc = client.multiPartyCalls;
  const standup = () => ({friendlyName: 'standup'});  // the SDK edits what it is given

  const started = await mpc.startRecording({...standup(), fileFormat: 'wav'});
  emit('start_recording', {recording_id: started.recordingId, recording_url: started.recordingUrl});
  await mpc.pauseRecording(standup());
  emit('pause_recording');
  emit('get_mpc', {recording: (await mpc.get(standup())).recording});
  await mpc.resumeRecording(standup());
  emit('resume_recording');
  await mpc.stopRecording(standup());
  emit('stop_recording');

  // The documentation's own example: start a participant's recording.
  const mine = await mpc.startParticipantRecording(10, {...standup(), fileFormat: 'mp3'});
  emit('start_participant_recording', {recording_id: mine.recordingId});
  await mpc.pauseParticipantRecording(10, standup());
  emit('pause_participant_recording');
  await mpc.resumeParticipantRecording(10, standup());
  emit('resume_participant_recording');
  await mpc.stopParticipantRecording(10, standup());
  emit('stop_participant_recording');

  const members = await mpc.listParticipants(standup());
  emit('list_participants', {member_ids: members.objects.map((m) => m.memberId)});
  try {
    await mpc.get({friendlyName: 'nobody'});
    emit('unknown_mpc', {error: null});
  } catch (e) {
    emit('unknown_mpc', {error: failure(e)});
  }
  try {
    await mpc.pauseRecording(standup());
    emit('invalid_transition', {error: null});
  } catch (e) {
    emit('invalid_transition', {error: failure(e)});
  }

  const cb = JSON.parse(fs.readFileSync(process.env.CALLBACK_FILE, 'utf8'));
  const token = process.env.PLIVO_AUTH_TOKEN;
  const valid = plivo.validateV3Signature(cb.method, cb.url, cb.nonce, token, cb.signature, cb.params);
  cb.params.RecordingDuration = '9999';
  const tampered = plivo.validateV3Signature(cb.method, cb.url, cb.nonce, token, cb.signature, cb.params);
  emit('signature', {valid, tampered});
})().catch((e) => { console.error(e); process.exit(1); });
