package main

import (
	"strings"
	"testing"
	"time"
)

func TestCareSettings(t *testing.T) {
	for _, name := range []string{"ORDERBOT_CSAT_DELAY", "ORDERBOT_CART_REMINDER"} {
		for _, tc := range []struct {
			value string
			want  time.Duration
			bad   bool
		}{
			{"", 24 * time.Hour, false}, {"0", 0, false}, {"off", 0, false}, {"90m", 90 * time.Minute, false},
			{"48h", 48 * time.Hour, false}, {"-1h", 0, true}, {"tomorrow", 0, true}, {"24", 0, true},
		} {
			c, err := loadCare(func(k string) string {
				if k == name {
					return tc.value
				}
				return ""
			})
			got := c.SurveyDelay
			if name == "ORDERBOT_CART_REMINDER" {
				got = c.CartReminder
			}
			switch {
			case tc.bad && (err == nil || !strings.Contains(err.Error(), name)):
				t.Errorf("%s=%q: err = %v, want one naming the variable", name, tc.value, err)
			case !tc.bad && (err != nil || got != tc.want):
				t.Errorf("%s=%q: %v, %v; want %v", name, tc.value, got, err, tc.want)
			}
		}
	}
}

func TestBroadcastTwoPeopleSetting(t *testing.T) {
	for _, tc := range []struct {
		value    string
		want, ok bool
	}{{"", true, true}, {"true", true, true}, {"false", false, true}, {"0", false, true}, {"maybe", false, false}} {
		c, err := loadCare(func(k string) string {
			if k == "ORDERBOT_BROADCAST_TWO_PEOPLE" {
				return tc.value
			}
			return ""
		})
		switch {
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "ORDERBOT_BROADCAST_TWO_PEOPLE")):
			t.Errorf("%q: err = %v, want one naming the variable", tc.value, err)
		case tc.ok && (err != nil || c.BroadcastTwoPeople != tc.want):
			t.Errorf("%q: %v, %v; want %v", tc.value, c.BroadcastTwoPeople, err, tc.want)
		}
	}
}
