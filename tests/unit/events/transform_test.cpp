#include "events/transform.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

namespace eb::events {
namespace {

// A state-change event in the shape of the user guide's example, with our own values.
constexpr std::string_view kEvent = R"({
  "version": "0",
  "id": "5f0c2a41-9d3e-4c1b-8a77-0e6f1d2c3b4a",
  "detail-type": "Pump State Change",
  "source": "acme.pumps",
  "account": "000000000000",
  "time": "2026-03-14T09:26:53Z",
  "region": "eu-west-1",
  "resources": ["arn:aws:acme:eu-west-1:000000000000:pump/p-77"],
  "detail": {
    "pump-id": "p-77",
    "state": "PRIMING",
    "pressure": 4.5,
    "tags": ["north", "backup"],
    "owner": {"team": "ops"},
    "note": "said \"hi\"\nthen left",
    "path/with": "slash"
  }
})";

const RenderContext kContext{"arn:aws:events:eu-west-1:000000000000:rule/pumps", "pumps",
                             "2026-03-14T09:26:54Z"};

TargetInputSpec transformer(std::vector<std::pair<std::string, std::string>> paths,
                            std::string input_template) {
  TargetInputSpec spec;
  spec.input_transformer =
      TargetInputSpec::Transformer{std::move(paths), std::move(input_template)};
  return spec;
}

std::string render(const TargetInputSpec& spec, std::string_view event_json = kEvent) {
  auto compiled = TargetInput::compile(spec, {"t1"});
  EXPECT_TRUE(compiled.has_value()) << compiled.error().message;
  if (!compiled) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element event = parser.parse(event_json.data(), event_json.size()).value();
  return compiled->render(event, event_json, kContext);
}

const std::vector<std::pair<std::string, std::string>> kPaths = {
    {"pump", "$.detail.pump-id"}, {"state", "$.detail.state"}, {"time", "$.time"}};

TEST(TargetInput, NoShapingPassesTheEventAsIs) { EXPECT_EQ(render(TargetInputSpec{}), kEvent); }

TEST(TargetInput, ConstantInput) {
  TargetInputSpec spec;
  spec.input = R"({"fixed": [1, 2]})";
  EXPECT_EQ(render(spec), R"({"fixed": [1, 2]})");
}

TEST(TargetInput, InputPathSelectsJson) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"$.detail.state", R"("PRIMING")"},
      {"$.detail.pressure", "4.5"},
      {"$.detail.tags", R"(["north","backup"])"},
      {"$.detail.tags[1]", R"("backup")"},
      {"$.detail.owner", R"({"team":"ops"})"},
      {"$.detail.note", R"("said \"hi\"\nthen left")"},
      {"$.detail.path/with", R"("slash")"},
      {"$.detail.tags[*]", R"(["north","backup"])"},
      {"$.detail.owner.*", R"(["ops"])"},
      {"$.detail.missing", "null"},
      {"$.detail.tags[5]", "null"},
      {"$.detail.missing[*]", "[]"},
  };
  for (const auto& [path, expected] : cases) {
    TargetInputSpec spec;
    spec.input_path = path;
    EXPECT_EQ(render(spec), expected) << path;
  }
  TargetInputSpec whole;
  whole.input_path = "$";
  EXPECT_EQ(render(whole, R"({"a": 1})"), R"({"a":1})");
}

// The user guide's examples table, with our event and values.
TEST(TargetInput, StringTemplatesInsertRawValues) {
  EXPECT_EQ(render(transformer(kPaths, R"("pump <pump> is <state>")")),
            R"("pump p-77 is PRIMING")");
  EXPECT_EQ(render(transformer(kPaths, R"("pump \"<pump>\" is <state>")")),
            R"("pump \"p-77\" is PRIMING")");
  EXPECT_EQ(render(transformer(kPaths, "<pump> is <state> since <time>")),
            "p-77 is PRIMING since 2026-03-14T09:26:53Z");
  EXPECT_EQ(render(transformer({}, R"("<aws.events.rule-name> fired")")), R"("pumps fired")");
  // Non-string values as their JSON; missing ones as nothing; a '<' that is no placeholder stays.
  EXPECT_EQ(render(transformer(
                {{"p", "$.detail.pressure"}, {"o", "$.detail.owner"}, {"m", "$.detail.nothing"}},
                "p=<p> o=<o> m=<m> 1 < 2 <x y>")),
            R"(p=4.5 o={"team":"ops"} m= 1 < 2 <x y>)");
}

TEST(TargetInput, JsonTemplatesQuoteStringsOutsideQuotes) {
  EXPECT_EQ(render(transformer(kPaths, R"({
    "pump" : <pump>,
    "state": <state>
  })")),
            R"({"pump":"p-77","state":"PRIMING"})");
  EXPECT_EQ(render(transformer(kPaths, R"({
    "pump" : <pump>,
    "state": "<state>",
    "status": "pump \"<pump>\" is <state>"
  })")),
            R"({"pump":"p-77","state":"PRIMING","status":"pump \"p-77\" is PRIMING"})");
  EXPECT_EQ(render(transformer(kPaths, R"({"pump" : <pump>, "state": [ 9, <state>, true ],
    "Transformed" : "Yes"})")),
            R"({"pump":"p-77","state":[9,"PRIMING",true],"Transformed":"Yes"})");
  EXPECT_EQ(render(transformer(kPaths, R"([<pump>, <state>])")), R"(["p-77","PRIMING"])");
}

TEST(TargetInput, JsonTemplatesInsertJsonValuesAsIs) {
  const std::vector<std::pair<std::string, std::string>> paths = {{"p", "$.detail.pressure"},
                                                                  {"tags", "$.detail.tags"},
                                                                  {"o", "$.detail.owner"},
                                                                  {"m", "$.detail.nothing"}};
  EXPECT_EQ(render(transformer(paths, R"({"p": <p>, "tags": <tags>, "o": <o>, "m": <m>})")),
            R"({"p":4.5,"tags":["north","backup"],"o":{"team":"ops"},"m":null})");
  // Inside quotes: JSON text escaped into the string; a missing value as nothing.
  EXPECT_EQ(render(transformer(paths, R"({"s": "p=<p> o=<o> m=<m>"})")),
            R"({"s":"p=4.5 o={\"team\":\"ops\"} m="})");
}

TEST(TargetInput, JsonTemplatesEscapeSpecialCharacters) {
  const std::vector<std::pair<std::string, std::string>> paths = {{"note", "$.detail.note"}};
  EXPECT_EQ(render(transformer(paths, R"({"a": <note>, "b": "note: <note>"})")),
            R"({"a":"said \"hi\"\nthen left","b":"note: said \"hi\"\nthen left"})");
  // A string template inserts the same value raw.
  EXPECT_EQ(render(transformer(paths, "<note>")), "said \"hi\"\nthen left");
}

TEST(TargetInput, PredefinedPlaceholders) {
  const std::string out = render(transformer(kPaths, R"({
    "pump": <pump>,
    "ruleArn": <aws.events.rule-arn>,
    "ruleName": <aws.events.rule-name>,
    "at": <aws.events.event.ingestion-time>,
    "inText": "rule <aws.events.rule-name> at <aws.events.event.ingestion-time>",
    "original": <aws.events.event>
  })"));
  EXPECT_EQ(out,
            R"({"pump":"p-77","ruleArn":"arn:aws:events:eu-west-1:000000000000:rule/pumps",)"
            R"("ruleName":"pumps","at":"2026-03-14T09:26:54Z",)"
            R"("inText":"rule pumps at 2026-03-14T09:26:54Z",)"
            R"("original":{"version":"0","id":"5f0c2a41-9d3e-4c1b-8a77-0e6f1d2c3b4a",)"
            R"("detailType":"Pump State Change","source":"acme.pumps","account":"000000000000",)"
            R"("time":"2026-03-14T09:26:53Z","region":"eu-west-1",)"
            R"("resources":["arn:aws:acme:eu-west-1:000000000000:pump/p-77"]}})");
  const std::string small = R"({"detail-type":"x","detail":{"k":1}})";
  EXPECT_EQ(render(transformer({}, R"({"e": <aws.events.event.json>})"), small),
            R"({"e":{"detail-type":"x","detail":{"k":1}}})");
  EXPECT_EQ(render(transformer({}, "<aws.events.event.json>"), small), small);
}

struct Invalid {
  const char* name;
  TargetInputSpec spec;
  const char* message;
};

TEST(TargetInput, ValidationFailuresUseAwsWording) {
  TargetInputSpec two;
  two.input = "{}";
  two.input_path = "$.detail";
  TargetInputSpec three = transformer(kPaths, "<pump>");
  three.input = "{}";
  three.input_path = "$";
  TargetInputSpec not_json;
  not_json.input = "{not json";
  TargetInputSpec long_input;
  long_input.input = "\"" + std::string(8191, 'x') + "\"";
  TargetInputSpec long_path;
  long_path.input_path = "$." + std::string(255, 'a');
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 101; ++i) many.emplace_back("k" + std::to_string(i), "$.id");

  const std::vector<Invalid> cases = {
      {"two members", two,
       "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
      {"three members", three,
       "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
      {"input not JSON", not_json, "Input for target t1 is not valid JSON text."},
      {"input too long", long_input,
       "at 'targets.1.member.input' failed to satisfy constraint: Member must have length less "
       "than or equal to 8192"},
      {"input path too long", long_path,
       "at 'targets.1.member.inputPath' failed to satisfy constraint: Member must have length "
       "less than or equal to 256"},
      {"too many paths", transformer(many, "x"),
       "at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Member "
       "must have length less than or equal to 100"},
      {"key with a dot", transformer({{"a.b", "$.id"}}, "x"),
       "Map keys must satisfy constraint: [Member must have length less than or equal to 256, "
       "Member must have length greater than or equal to 1, Member must satisfy regular "
       "expression pattern: [A-Za-z0-9\\_\\-]+]"},
      {"empty key", transformer({{"", "$.id"}}, "x"), "Map keys must satisfy constraint"},
      {"long key", transformer({{std::string(257, 'k'), "$.id"}}, "x"),
       "Map keys must satisfy constraint"},
      {"reserved key", transformer({{"AWSregion", "$.region"}}, "x"),
       "InputPathsMap for target t1 contains the reserved key AWSregion: keys cannot start with "
       "AWS."},
      {"long map value", transformer({{"k", "$." + std::string(255, 'a')}}, "x"),
       "Map value must satisfy constraint: [Member must have length less than or equal to 256]"},
      {"bad map path", transformer({{"k", "detail.x"}}, "x"),
       "InputPath for target t1 is invalid."},
      {"empty template", transformer({}, ""),
       "at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member "
       "must have length greater than or equal to 1"},
      {"long template", transformer({}, std::string(8193, 'x')),
       "Member must have length less than or equal to 8192"},
      {"undefined placeholder", transformer(kPaths, "<pump> <colour>"),
       "InputTemplate for target t1 contains invalid placeholder colour."},
      {"placeholder as key", transformer(kPaths, R"({<pump>: 1})"),
       "Invalid InputTemplate for target t1 : "},
      {"broken JSON template", transformer(kPaths, R"({"a": <pump>)"),
       "Invalid InputTemplate for target t1 : "},
  };
  for (const Invalid& c : cases) {
    auto compiled = TargetInput::compile(c.spec, {"t1"});
    ASSERT_FALSE(compiled.has_value()) << c.name;
    EXPECT_EQ(compiled.error().code, Errc::kValidationError) << c.name;
    EXPECT_NE(compiled.error().message.find(c.message), std::string::npos)
        << c.name << ": " << compiled.error().message;
  }
}

TEST(TargetInput, InputPathValidation) {
  for (const char* bad : {"", "detail", "$.", "$..a", "$.a b", "$['a']", "$[\"a\"]", "$.a[",
                          "$.a[-1]", "$.a[x]", "$a", "$.a.", "$.a[]"}) {
    TargetInputSpec spec;
    spec.input_path = bad;
    auto compiled = TargetInput::compile(spec, {"t9"});
    ASSERT_FALSE(compiled.has_value()) << bad;
    EXPECT_EQ(compiled.error().message, "InputPath for target t9 is invalid.") << bad;
  }
  for (const char* good : {"$", "$.detail", "$.detail-type", "$.a_b.c-d.E9", "$.a[0]", "$.a[12].b",
                           "$.a[*].b", "$.*", "$.a/b"}) {
    TargetInputSpec spec;
    spec.input_path = good;
    EXPECT_TRUE(TargetInput::compile(spec, {"t9"}).has_value()) << good;
  }
}

TEST(TargetInput, AcceptsTheLimits) {
  TargetInputSpec input;
  input.input = "\"" + std::string(8190, 'x') + "\"";
  EXPECT_TRUE(TargetInput::compile(input, {"t"}).has_value());
  std::vector<std::pair<std::string, std::string>> hundred;
  for (int i = 0; i < 100; ++i) hundred.emplace_back("k" + std::to_string(i), "$.id");
  EXPECT_TRUE(TargetInput::compile(transformer(hundred, "x"), {"t"}).has_value());
  EXPECT_TRUE(TargetInput::compile(transformer({}, std::string(8192, 'x')), {"t"}).has_value());
  // Keys may be any of [A-Za-z0-9_-], "aws" in lower case included.
  EXPECT_TRUE(TargetInput::compile(transformer({{"aws-x_1", "$.id"}}, "<aws-x_1>"), {"t"}));
}

}  // namespace
}  // namespace eb::events
