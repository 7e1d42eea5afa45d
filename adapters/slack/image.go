package slack

import (
	"bytes"
	"context"

	"github.com/slack-go/slack"
)

// PostStaffImage uploads an image to the staff channel with text as its
// comment (the daily report and its chart). Slack's upload is three calls
// (an upload URL, the upload, completing it into the channel) and the
// message appears only with the last, so a failure shows nothing half-done.
func (a *Adapter) PostStaffImage(ctx context.Context, text, filename string, image []byte) error {
	channel := a.cfg.StaffChannel
	if err := a.limit.wait(ctx, channel); err != nil {
		return err
	}
	_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel:        channel,
		Filename:       filename,
		Title:          filename,
		FileSize:       len(image),
		Reader:         bytes.NewReader(image),
		InitialComment: escape(text),
	})
	if err != nil {
		return a.apiError(channel, "upload "+filename, err)
	}
	return nil
}
