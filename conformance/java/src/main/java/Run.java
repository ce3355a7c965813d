// The MPC recording calls as a Java user writes them with plivo-java, run against the emulator.
//
// plivo-java sends to https://api.plivo.com through OkHttp, which takes its proxy from the JVM's
// https.proxyHost/https.proxyPort (proxy route) and its trust from javax.net.ssl.trustStore; or it
// finds api.plivo.com in /etc/hosts (name-mapping route). One JSON line per step.
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plivo.api.Plivo;
import com.plivo.api.models.multipartycall.MultiPartyCall;
import com.plivo.api.models.multipartycall.MultiPartyCallParticipant;
import com.plivo.api.models.multipartycall.MultiPartyCallRecordingStartResponse;
import com.plivo.api.models.multipartycall.MultiPartyCallUtils;
import com.plivo.api.util.Utils;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Run {
  static final ObjectMapper JSON = new ObjectMapper();

  static void emit(String step, Object... fields) throws Exception {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("step", step);
    for (int i = 0; i < fields.length; i += 2) {
      line.put((String) fields[i], fields[i + 1]);
    }
    System.out.println(JSON.writeValueAsString(line));
  }

  static String failure(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    String token = System.getenv("PLIVO_AUTH_TOKEN");
    Plivo.init(System.getenv("PLIVO_AUTH_ID"), token);
    String standup = MultiPartyCallUtils.friendlyName("standup");

    MultiPartyCallRecordingStartResponse started =
        MultiPartyCall.recordStarter(standup).fileFormat("wav").update();
    emit("start_recording", "recording_id", started.getRecordingId(), "recording_url", started.getRecordingUrl());
    MultiPartyCall.recordPause(standup).update();
    emit("pause_recording");
    emit("get_mpc", "recording", MultiPartyCall.getter(standup).get().getRecording());
    MultiPartyCall.recordResume(standup).update();
    emit("resume_recording");
    MultiPartyCall.recordStopper(standup).delete();
    emit("stop_recording");

    // The documentation's own example: start a participant's recording.
    MultiPartyCallRecordingStartResponse mine =
        MultiPartyCall.participantRecordStarter(standup, "10").fileFormat("mp3").update();
    emit("start_participant_recording", "recording_id", mine.getRecordingId());
    MultiPartyCall.participantRecordPause(standup, "10").update();
    emit("pause_participant_recording");
    MultiPartyCall.participantRecordResume(standup, "10").update();
    emit("resume_participant_recording");
    MultiPartyCall.participantRecordStopper(standup, "10").delete();
    emit("stop_participant_recording");

    List<String> ids = new ArrayList<>();
    for (MultiPartyCallParticipant member : MultiPartyCall.participantList(standup).list().getObjects()) {
      ids.add(member.getMemberId());
    }
    emit("list_participants", "member_ids", ids);

    try {
      MultiPartyCall.getter(MultiPartyCallUtils.friendlyName("nobody")).get();
      emit("unknown_mpc", "error", null);
    } catch (Exception e) {
      emit("unknown_mpc", "error", failure(e));
    }
    try {
      MultiPartyCall.recordPause(standup).update();
      emit("invalid_transition", "error", null);
    } catch (Exception e) {
      emit("invalid_transition", "error", failure(e));
    }

    Map<String, Object> callback = JSON.readValue(new File(System.getenv("CALLBACK_FILE")), Map.class);
    Map<String, String> params = (Map<String, String>) callback.get("params");
    String url = (String) callback.get("url");
    String nonce = (String) callback.get("nonce");
    String signature = (String) callback.get("signature");
    String method = (String) callback.get("method");
    boolean valid = Utils.validateSignatureV3(url, nonce, signature, token, method, params);
    params.put("RecordingDuration", "9999");
    boolean tampered = Utils.validateSignatureV3(url, nonce, signature, token, method, params);
    emit("signature", "valid", valid, "tampered", tampered);
  }
}
