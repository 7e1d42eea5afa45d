package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// acker acknowledges a Socket Mode envelope, with the payload an HTTP
// response would have carried.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// runSocket receives Slack's requests over Socket Mode until ctx ends and
// hands them to the same code as the HTTP endpoints.
func (a *Adapter) runSocket(ctx context.Context) error {
	client := socketmode.New(a.api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-client.Events:
			a.socketEvent(ctx, client, evt)
		}
	}
}

// socketEvent handles one Socket Mode event. Requests are acknowledged
// before their work starts, as over HTTP.
func (a *Adapter) socketEvent(ctx context.Context, ack acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack: socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.log.Warn("slack: socket mode connection", "event", string(evt.Type), "err", evt.Data)
		return
	}
	if evt.Request == nil {
		return
	}
	var payload any
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		a.doAck(ack, evt, nil)
		a.handleEvent(ctx, data)
		return
	case slack.InteractionCallback:
		payload = a.interaction(ctx, data)
	case slack.SlashCommand:
		payload = a.command(ctx, data)
	}
	a.doAck(ack, evt, payload)
}

func (a *Adapter) doAck(ack acker, evt socketmode.Event, payload any) {
	var err error
	if payload == nil {
		err = ack.Ack(*evt.Request)
	} else {
		err = ack.Ack(*evt.Request, payload)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.Warn("slack: socket mode ack", "type", string(evt.Type), "err", err)
	}
}
