<?php
// The MPC recording calls as a PHP user writes them with plivo-php, run against the emulator.
//
// plivo-php takes a proxy in its constructor (proxy host and port); curl trusts the emulator's CA
// through curl.cainfo (php -d curl.cainfo=ca.pem). Without a proxy (name-mapping route) it finds
// api.plivo.com in /etc/hosts. plivo-php does not throw for MPC calls: a failure comes back as an
// array with an "error" key, by the SDK's own design (a 204's empty body reads as an empty "error").
// One JSON line per step.
require __DIR__ . '/autoload.php';

use Plivo\RestClient;
use Plivo\Util\v3SignatureValidation;

function emit($step, $fields = [])
{
    echo json_encode(array_merge(['step' => $step], $fields), JSON_UNESCAPED_SLASHES), "\n";
}

function answered($step, $response)
{
    if (!empty($response['error'])) {
        fwrite(STDERR, "$step: " . json_encode($response) . "\n");
        exit(1);
    }
    emit($step);
}

$proxy = getenv('HTTPS_PROXY') ? parse_url(getenv('HTTPS_PROXY')) : null;
$token = getenv('PLIVO_AUTH_TOKEN');
$client = $proxy
    ? new RestClient(getenv('PLIVO_AUTH_ID'), $token, $proxy['scheme'] . '://' . $proxy['host'], $proxy['port'])
    : new RestClient(getenv('PLIVO_AUTH_ID'), $token);
$mpc = $client->getMultiPartyCalls();
$standup = ['friendly_name' => 'standup'];

$started = $mpc->startRecording($standup + ['file_format' => 'wav']);
emit('start_recording', ['recording_id' => $started['recording_id'], 'recording_url' => $started['recording_url']]);
answered('pause_recording', $mpc->pauseRecording($standup));
emit('get_mpc', ['recording' => $mpc->get($standup)['recording']]);
answered('resume_recording', $mpc->resumeRecording($standup));
answered('stop_recording', $mpc->stopRecording($standup));

// The documentation's own example: start a participant's recording.
$mine = $mpc->startParticipantRecording('10', $standup + ['file_format' => 'mp3']);
emit('start_participant_recording', ['recording_id' => $mine['recording_id']]);
answered('pause_participant_recording', $mpc->pauseParticipantRecording('10', $standup));
answered('resume_participant_recording', $mpc->resumeParticipantRecording('10', $standup));
answered('stop_participant_recording', $mpc->stopParticipantRecording('10', $standup));

$members = $mpc->listParticipants($standup);
emit('list_participants', ['member_ids' => array_map(fn ($m) => $m['member_id'], $members['objects'])]);
$unknown = $mpc->get(['friendly_name' => 'nobody']);
emit('unknown_mpc', ['error' => empty($unknown['error']) ? null : 'error: ' . $unknown['error']]);
$refused = $mpc->pauseRecording($standup);
emit('invalid_transition', ['error' => empty($refused['error']) ? null : 'error: ' . $refused['error']]);

$cb = json_decode(file_get_contents(getenv('CALLBACK_FILE')), true);
$valid = v3SignatureValidation::validateV3Signature($cb['method'], $cb['url'], $cb['nonce'], $token, $cb['signature'], $cb['params']);
$cb['params']['RecordingDuration'] = '9999';
$tampered = v3SignatureValidation::validateV3Signature($cb['method'], $cb['url'], $cb['nonce'], $token, $cb['signature'], $cb['params']);
emit('signature', ['valid' => $valid, 'tampered' => $tampered]);
