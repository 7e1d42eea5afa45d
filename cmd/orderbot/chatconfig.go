package main

import (
	"fmt"
	"net/url"

	"github.com/orderbot/orderbot/adapters/webchat"
)

// chatConfig is the customer web chat's look and who may embed it.
type chatConfig struct {
	// EmbedOrigins may show /chat in an iframe (ORDERBOT_EMBED_ORIGINS).
	EmbedOrigins []string
	// Logo is the URL of the shop's logo in the chat's header
	// (ORDERBOT_SHOP_LOGO).
	Logo string
}

func loadChat(get func(string) string) (chatConfig, error) {
	origins, err := webchat.ParseEmbedOrigins(get("ORDERBOT_EMBED_ORIGINS"))
	if err != nil {
		return chatConfig{}, fmt.Errorf("ORDERBOT_EMBED_ORIGINS: %w", err)
	}
	logo := get("ORDERBOT_SHOP_LOGO")
	if logo != "" {
		u, err := url.Parse(logo)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return chatConfig{}, fmt.Errorf("ORDERBOT_SHOP_LOGO=%q: want an http(s) URL of an image", logo)
		}
	}
	return chatConfig{EmbedOrigins: origins, Logo: logo}, nil
}
