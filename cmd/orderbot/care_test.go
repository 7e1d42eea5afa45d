package main

import (
	"strings"
	"testing"
	"time"
)

func TestSurveyDelaySetting(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration
		bad   bool
	}{
		{"", 24 * time.Hour, false}, {"0", 0, false}, {"90m", 90 * time.Minute, false}, {"48h", 48 * time.Hour, false},
		{"-1h", 0, true}, {"tomorrow", 0, true}, {"24", 0, true},
	} {
		c, err := loadCare(func(k string) string {
			if k == "ORDERBOT_CSAT_DELAY" {
				return tc.value
			}
			return ""
		})
		switch {
		case tc.bad && (err == nil || !strings.Contains(err.Error(), "ORDERBOT_CSAT_DELAY")):
			t.Errorf("%q: err = %v, want one naming the variable", tc.value, err)
		case !tc.bad && (err != nil || c.SurveyDelay != tc.want):
			t.Errorf("%q: %v, %v; want %v", tc.value, c.SurveyDelay, err, tc.want)
		}
	}
}
