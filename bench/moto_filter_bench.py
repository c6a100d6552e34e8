#!/usr/bin/env python3
"""moto's SNS filter-policy evaluations per second on one core, for the cases of
filter_policy_bench.cpp (same policies, same attributes and body), so sns.sh can report
eventbrokerd's figure as a ratio. Prints one JSON object: {"case": evaluations_per_s, ...}.
Run with the interpreter moto is installed in."""
import json
import sys
import time

from moto.sns.utils import FilterPolicyMatcher

ORDER = {"eventType": ["order.created", "order.paid", "order.shipped"]}
MIXED = {
    "eventType": [{"prefix": "order."}],
    "amount": [{"numeric": [">", 0, "<=", 1000]}],
    "region": [{"anything-but": ["eu-west-3"]}],
    "vip": [{"exists": False}],
}
BODY_POLICY = {"type": ["order.created"], "data": {"total": [{"numeric": [">", 100]}]}}
BODY = json.dumps({
    "id": "e-1", "type": "order.created", "source": "order-service", "correlationId": "c-1",
    "data": {"orderId": "o-1", "total": 149.9, "items": [{"sku": "a", "qty": 2}]},
})


def attrs(**values):
    return {k: {"Type": t, "Value": v} for k, (t, v) in values.items()}


# name -> (policy, scope, attributes, body, expected result)
CASES = {
    "BM_OrderPolicyMatch": (ORDER, "MessageAttributes",
                            attrs(eventType=("String", "order.paid"),
                                  correlationId=("String", "c-42")), "", True),
    "BM_OrderPolicyMiss": (ORDER, "MessageAttributes",
                           attrs(eventType=("String", "inventory.reserved"),
                                 correlationId=("String", "c-42")), "", False),
    "BM_MixedOperators": (MIXED, "MessageAttributes",
                          attrs(eventType=("String", "order.created"),
                                amount=("Number", "149.90"),
                                region=("String", "us-east-1")), "", True),
    "BM_BodyScope": (BODY_POLICY, "MessageBody", None, BODY, True),
}


def rate(matcher, attributes, body, seconds):
    n, batch = 0, 1000
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            matcher.matches(attributes, body)
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    out = {}
    for name, (policy, scope, attributes, body, expected) in CASES.items():
        matcher = FilterPolicyMatcher(policy, scope)
        got = matcher.matches(attributes, body)
        if got != expected:
            sys.exit(f"{name}: moto returned {got}, expected {expected}")
        out[name] = round(rate(matcher, attributes, body, seconds))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
