package main

import (
	"fmt"
	"strconv"
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
	// BroadcastTwoPeople is ORDERBOT_BROADCAST_TWO_PEOPLE: a broadcast is
	// approved by someone other than who wrote it. On unless "false": a
	// promotion to every customer deserves a second pair of eyes.
	BroadcastTwoPeople bool
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
	twoPeople := true
	if v := get("ORDERBOT_BROADCAST_TWO_PEOPLE"); v != "" {
		if twoPeople, err = strconv.ParseBool(v); err != nil {
			return careConfig{}, fmt.Errorf("ORDERBOT_BROADCAST_TWO_PEOPLE: %q is not true or false", v)
		}
	}
	return careConfig{SurveyDelay: survey, CartReminder: cart, BroadcastTwoPeople: twoPeople}, nil
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
