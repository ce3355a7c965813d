# The MPC recording calls as a Ruby user writes them with plivo-ruby, run against the emulator.
#
# plivo-ruby takes a proxy in its constructor (proxy_host, proxy_port); OpenSSL trusts the emulator's
# CA through SSL_CERT_FILE. Without a proxy (name-mapping route) it finds api.plivo.com in /etc/hosts.
# One JSON line per step.
require 'json'
require 'uri'
require 'plivo'

def emit(step, fields = {})
  puts JSON.generate({ step: step }.merge(fields))
  $stdout.flush
end

def failure(error)
  "#{error.class.name}: #{error.message}"
end

proxy = nil
if ENV['HTTPS_PROXY']
  address = URI(ENV['HTTPS_PROXY'])
  proxy = { proxy_host: "#{address.scheme}://#{address.host}", proxy_port: address.port }
end
token = ENV['PLIVO_AUTH_TOKEN']
client = Plivo::RestClient.new(ENV['PLIVO_AUTH_ID'], token, proxy)
mpc = client.multipartycalls

started = mpc.start_recording(friendly_name: 'standup', file_format: 'wav')
emit('start_recording', recording_id: started['recording_id'], recording_url: started['recording_url'])
mpc.pause_recording(friendly_name: 'standup')
emit('pause_recording')
emit('get_mpc', recording: mpc.get(friendly_name: 'standup').recording)
mpc.resume_recording(friendly_name: 'standup')
emit('resume_recording')
mpc.stop_recording(friendly_name: 'standup')
emit('stop_recording')

# The documentation's own example: start a participant's recording.
mine = mpc.start_participant_recording(member_id: '10', friendly_name: 'standup', file_format: 'mp3')
emit('start_participant_recording', recording_id: mine['recording_id'])
mpc.pause_participant_recording(member_id: '10', friendly_name: 'standup')
emit('pause_participant_recording')
mpc.resume_participant_recording(member_id: '10', friendly_name: 'standup')
emit('resume_participant_recording')
mpc.stop_participant_recording(member_id: '10', friendly_name: 'standup')
emit('stop_participant_recording')

members = mpc.list_participants(friendly_name: 'standup')
emit('list_participants', member_ids: members.objects.map { |m| m['member_id'] })
# The SDK's own exceptions, for an unknown MPC and for a pause with nothing recording.
def refused(step)
  yield
  emit(step, error: nil)
rescue Plivo::Exceptions::PlivoRESTError => e
  emit(step, error: failure(e))
end

refused('unknown_mpc') { mpc.get(friendly_name: 'nobody') }
refused('invalid_transition') { mpc.pause_recording(friendly_name: 'standup') }

cb = JSON.parse(File.read(ENV['CALLBACK_FILE']))
valid = Plivo::Utils.valid_signatureV3?(cb['url'], cb['nonce'], cb['signature'], token, cb['method'], cb['params'])
cb['params']['RecordingDuration'] = '9999'
tampered = Plivo::Utils.valid_signatureV3?(cb['url'], cb['nonce'], cb['signature'], token, cb['method'], cb['params'])
emit('signature', valid: valid, tampered: tampered)
