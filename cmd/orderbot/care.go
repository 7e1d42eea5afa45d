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
}

// surveyTick is how often a replica looks for due surveys; 0 as the delay
// means within this.
const surveyTick = 30 * time.Second

func loadCare(get func(string) string) (careConfig, error) {
	c := careConfig{SurveyDelay: 24 * time.Hour}
	v := get("ORDERBOT_CSAT_DELAY")
	if v == "" {
		return c, nil
	}
	if v == "0" {
		c.SurveyDelay = 0
		return c, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return c, fmt.Errorf("ORDERBOT_CSAT_DELAY: %q is not a duration such as 24h, 90m or 0", v)
	}
	c.SurveyDelay = d
	return c, nil
}
