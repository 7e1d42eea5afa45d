package main

import (
	"fmt"
	"time"
)

// careConfig is customer care's settings.
type careConfig struct {
	// SurveyDelay is ORDERBOT_CSAT_DELAY: how long after delivery the
	// satisfaction survey goes out; 0 sends it at once.
	SurveyDelay time.Duration
	// CartReminder is ORDERBOT_CART_REMINDER: how long a cart sits before
	// an opted-in customer is reminded; 0 (or off) sends no reminders.
	CartReminder time.Duration
}

// surveyTick is how often a replica looks for due surveys and reminders;
// 0 as the delay means within this.
const surveyTick = 30 * time.Second

func loadCare(get func(string) string) (careConfig, error) {
	survey, err := careDuration(get, "ORDERBOT_CSAT_DELAY")
	if err != nil {
		return careConfig{}, err
	}
	cart, err := careDuration(get, "ORDERBOT_CART_REMINDER")
	if err != nil {
		return careConfig{}, err
	}
	return careConfig{SurveyDelay: survey, CartReminder: cart}, nil
}

// careDuration reads a delay of customer care: 24h when unset, 0 for "0"
// or "off".
func careDuration(get func(string) string, name string) (time.Duration, error) {
	switch v := get(name); v {
	case "":
		return 24 * time.Hour, nil
	case "0", "off":
		return 0, nil
	default:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%s: %q is not a duration such as 24h, 90m or 0", name, v)
		}
		return d, nil
	}
}
