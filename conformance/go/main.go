// The MPC recording calls as a Go user writes them with plivo-go, run against the emulator.
//
// The program is the same for both routes: plivo-go sends to https://api.plivo.com, and its default
// HTTP client takes HTTPS_PROXY and SSL_CERT_FILE from the environment (proxy route), or finds
// api.plivo.com in /etc/hosts (name-mapping route). One JSON line per step.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/plivo/plivo-go/v7"
)

func emit(step string, fields map[string]interface{}) {
	if fields == nil {
		fields = map[string]interface{}{}
	}
	fields["step"] = step
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}

func must(step string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", step, err)
		os.Exit(1)
	}
	emit(step, nil)
}

type callback struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Nonce     string            `json:"nonce"`
	Signature string            `json:"signature"`
	Params    map[string]string `json:"params"`
}

func main() {
	client, err := plivo.NewClient(os.Getenv("PLIVO_AUTH_ID"), os.Getenv("PLIVO_AUTH_TOKEN"), &plivo.ClientOptions{})
	if err != nil {
		panic(err)
	}
	mpc := client.MultiPartyCall
	standup := plivo.MultiPartyCallBasicParams{FriendlyName: "standup"}
	member := plivo.MultiPartyCallParticipantParams{FriendlyName: "standup", ParticipantId: "10"}

	started, err := mpc.StartRecording(standup, plivo.MultiPartyCallStartRecordingParams{FileFormat: "wav"})
	if err != nil {
		panic(err)
	}
	emit("start_recording", map[string]interface{}{"recording_id": started.RecordingId, "recording_url": started.RecordingUrl})
	must("pause_recording", mpc.PauseRecording(standup))
	got, err := mpc.Get(standup)
	if err != nil {
		panic(err)
	}
	emit("get_mpc", map[string]interface{}{"recording": got.Recording})
	must("resume_recording", mpc.ResumeRecording(standup))
	must("stop_recording", mpc.StopRecording(standup))

	// The documentation's own example: start a participant's recording.
	mine, err := mpc.StartParticipantRecording(member, plivo.MultiPartyCallStartRecordingParams{FileFormat: "mp3"})
	if err != nil {
		panic(err)
	}
	emit("start_participant_recording", map[string]interface{}{"recording_id": mine.RecordingId})
	must("pause_participant_recording", mpc.PauseParticipantRecording(member))
	must("resume_participant_recording", mpc.ResumeParticipantRecording(member))
	must("stop_participant_recording", mpc.StopParticipantRecording(member))

	members, err := mpc.ListParticipants(standup, plivo.MultiPartyCallListParticipantParams{})
	if err != nil {
		panic(err)
	}
	ids := []string{}
	for _, m := range members.Objects {
		ids = append(ids, m.MemberId)
	}
	emit("list_participants", map[string]interface{}{"member_ids": ids})

	_, err = mpc.Get(plivo.MultiPartyCallBasicParams{FriendlyName: "nobody"})
	emit("unknown_mpc", map[string]interface{}{"error": fmt.Sprintf("%T: %v", err, err)})
	err = mpc.PauseRecording(standup)
	emit("invalid_transition", map[string]interface{}{"error": fmt.Sprintf("%T: %v", err, err)})

	raw, err := os.ReadFile(os.Getenv("CALLBACK_FILE"))
	if err != nil {
		panic(err)
	}
	var cb callback
	if err := json.Unmarshal(raw, &cb); err != nil {
		panic(err)
	}
	token := os.Getenv("PLIVO_AUTH_TOKEN")
	valid := plivo.ValidateSignatureV3(cb.URL, cb.Nonce, cb.Method, cb.Signature, token, cb.Params)
	cb.Params["RecordingDuration"] = "9999"
	tampered := plivo.ValidateSignatureV3(cb.URL, cb.Nonce, cb.Method, cb.Signature, token, cb.Params)
	emit("signature", map[string]interface{}{"valid": valid, "tampered": tampered})
}
