// The MPC recording calls as a .NET user writes them with plivo-dotnet, run against the emulator.
//
// plivo-dotnet takes a proxy in its constructor (proxy address and port); Mono trusts the emulator's
// CA once it is in the user's certificate store (cert-sync --user ca.pem). Without a proxy
// (name-mapping route) it finds api.plivo.com in /etc/hosts. One JSON line per step.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Plivo;
using Plivo.Exception;
using Plivo.Utilities;

public static class Run
{
    static void Emit(string step, object fields = null)
    {
        var line = fields == null ? new JObject() : JObject.FromObject(fields);
        line.AddFirst(new JProperty("step", step));
        Console.WriteLine(line.ToString(Formatting.None));
    }

    static string Failure(Exception e) => e.GetType().Name + ": " + e.Message;

    public static void Main()
    {
        var token = Environment.GetEnvironmentVariable("PLIVO_AUTH_TOKEN");
        var proxy = Environment.GetEnvironmentVariable("HTTPS_PROXY");
        var api = proxy == null
            ? new PlivoApi(Environment.GetEnvironmentVariable("PLIVO_AUTH_ID"), token)
            : new PlivoApi(Environment.GetEnvironmentVariable("PLIVO_AUTH_ID"), token,
                new Uri(proxy).Scheme + "://" + new Uri(proxy).Host, new Uri(proxy).Port.ToString());
        var mpc = api.MultiPartyCall;

        var started = mpc.StartRecording(friendlyName: "standup", fileFormat: "wav");
        Emit("start_recording", new { recording_id = started.RecordingId, recording_url = started.RecordingUrl });
        mpc.PauseRecording(friendlyName: "standup");
        Emit("pause_recording");
        Emit("get_mpc", new { recording = mpc.Get(friendlyName: "standup").Recording });
        mpc.ResumeRecording(friendlyName: "standup");
        Emit("resume_recording");
        mpc.StopRecording(friendlyName: "standup");
        Emit("stop_recording");

        // The documentation's own example: start a participant's recording.
        var mine = mpc.StartParticipantRecording(participantId: "10", friendlyName: "standup", fileFormat: "mp3");
        Emit("start_participant_recording", new { recording_id = mine.RecordingId });
        mpc.PauseParticipantRecording(participantId: "10", friendlyName: "standup");
        Emit("pause_participant_recording");
        mpc.ResumeParticipantRecording(participantId: "10", friendlyName: "standup");
        Emit("resume_participant_recording");
        mpc.StopParticipantRecording(participantId: "10", friendlyName: "standup");
        Emit("stop_participant_recording");

        var members = mpc.ListParticipants(friendlyName: "standup");
        Emit("list_participants", new { member_ids = members.Objects.Select(m => m.MemberId).ToList() });
        try
        {
            mpc.Get(friendlyName: "nobody");
            Emit("unknown_mpc", new { error = (string)null });
        }
        catch (PlivoRestException e)
        {
            Emit("unknown_mpc", new { error = Failure(e) });
        }
        try
        {
            mpc.PauseRecording(friendlyName: "standup");
            Emit("invalid_transition", new { error = (string)null });
        }
        catch (PlivoRestException e)
        {
            Emit("invalid_transition", new { error = Failure(e) });
        }

        var cb = JObject.Parse(File.ReadAllText(Environment.GetEnvironmentVariable("CALLBACK_FILE")));
        var parameters = cb["params"].ToObject<Dictionary<string, string>>();
        string url = (string)cb["url"], nonce = (string)cb["nonce"], signature = (string)cb["signature"];
        var valid = XPlivoSignatureV3.VerifySignature(url, nonce, signature, token, (string)cb["method"], parameters);
        parameters["RecordingDuration"] = "9999";
        var tampered = XPlivoSignatureV3.VerifySignature(url, nonce, signature, token, (string)cb["method"], parameters);
        Emit("signature", new { valid, tampered });
    }
}
