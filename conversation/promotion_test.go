package conversation

import (
	"strings"
	"testing"
)

func TestPromotionEndsWithHowToStop(t *testing.T) {
	for _, tc := range []struct {
		lang          Lang
		coupon, stop  string
		wantCouponTxt string
	}{
		{Chinese, "NEW10", "回复“退订”即可不再接收优惠消息。", "优惠码 NEW10"},
		{English, "NEW10", `Reply "unsubscribe" to stop receiving offers from us.`, "code NEW10"},
		{English, "", `Reply "unsubscribe" to stop receiving offers from us.`, ""},
	} {
		got := Promotion(tc.lang, "Spring tea is here", tc.coupon)
		if !strings.HasPrefix(got, "Spring tea is here") || !strings.HasSuffix(got, tc.stop) {
			t.Errorf("%s: %q does not start with the text and end with %q", tc.lang, got, tc.stop)
		}
		if tc.wantCouponTxt != "" && !strings.Contains(got, tc.wantCouponTxt) {
			t.Errorf("%s: %q lacks the coupon %q", tc.lang, got, tc.wantCouponTxt)
		}
		if tc.coupon == "" && strings.Contains(got, "code") {
			t.Errorf("%s: %q mentions a coupon it does not have", tc.lang, got)
		}
	}
}
