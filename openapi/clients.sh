#!/usr/bin/env bash
# `make clients`: the clients other than Python generated from openapi/openapi.json, as the app
# teams generate them, and the checks that apply where their toolchains do not exist here.
# (The Python client is built and used against a live server in `make test`:
# tests/test_python_client.py.) docs/api-clients.md says what each step proves.
#
# Needs Java 17+ (openapi-generator) and, for the linters, Node.js with npx; both fetch their tools
# from the package registries on first use. Output goes to build/clients/.
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC=openapi/openapi.json
OUT=build/clients
# The newest openapi-generator whose PyPI wheel (it carries the JAR) installs here.
GENERATOR_VERSION=7.26.0
generator() {
    .venv/bin/uv tool run --quiet --from "openapi-generator-cli==${GENERATOR_VERSION}" openapi-generator-cli "$@"
}
rm -rf "$OUT"
mkdir -p "$OUT"

# Kotlin, as the Android app uses it: gson with oneOf wrappers, the variant that turns AnswerValue
# into a type holding a String, a BigDecimal or a List<String> (without the option, or with moshi,
# the generator makes an empty class of a oneOf of primitives and the answers are lost).
echo "== kotlin (openapi-generator ${GENERATOR_VERSION})"
generator generate --input-spec "$SPEC" --generator-name kotlin --output "$OUT/kotlin" \
    --additional-properties=serializationLibrary=gson,generateOneOfAnyOfWrappers=true >"$OUT/kotlin.log" 2>&1
MODELS="$OUT/kotlin/src/main/kotlin/org/openapitools/client/models"
SERIALIZER="$OUT/kotlin/src/main/kotlin/org/openapitools/client/infrastructure/Serializer.kt"

# No Kotlin compiler here (and Gradle cannot fetch one), so the round trip of "pothole", 3 and
# ["a","b"] is checked by construction: the model is a wrapper whose adapter writes and reads each
# of the three kinds, the serializer registers it, and the forms' maps hold it.
expect() {  # file, fixed string, what it proves
    if ! grep -qF -- "$2" "$1"; then
        echo "FAILED: $3 (no '$2' in $1)" >&2
        exit 1
    fi
}
expect "$MODELS/AnswerValue.kt" "data class AnswerValue(var actualInstance: Any? = null)" "AnswerValue is a wrapper, not an empty class"
expect "$MODELS/AnswerValue.kt" "value.actualInstance is kotlin.String" "a text answer is written"
expect "$MODELS/AnswerValue.kt" "value.actualInstance is java.math.BigDecimal" "a number answer is written"
expect "$MODELS/AnswerValue.kt" "adapterkotlincollectionsListkotlinString.toJsonTree" "a list answer is written"
expect "$MODELS/AnswerValue.kt" "jsonElement.getAsJsonPrimitive().isString()" "a text answer is read"
expect "$MODELS/AnswerValue.kt" "jsonElement.getAsJsonPrimitive().isNumber()" "a number answer is read"
expect "$MODELS/AnswerValue.kt" "require(jsonElement.isJsonArray)" "a list answer is read"
expect "$SERIALIZER" "models.AnswerValue.CustomTypeAdapterFactory()" "gson uses the AnswerValue adapter"
expect "$MODELS/ComplaintsComplaintDraft.kt" "kotlin.collections.Map<kotlin.String, AnswerValue>" "complaint attributes hold AnswerValues"
expect "$MODELS/PermitsApplication.kt" "kotlin.collections.Map<kotlin.String, AnswerValue>" "permit answers hold AnswerValues"
expect "$MODELS/PermitsAnswerChanges.kt" "kotlin.collections.Map<kotlin.String, AnswerValue?>" "a permit answer is cleared with null"
echo "kotlin: AnswerValue round-trips text, numbers and lists by construction"

# Dart, as a Flutter app would use it; generated to see the generator accept the document.
echo "== dart-dio (openapi-generator ${GENERATOR_VERSION})"
generator generate --input-spec "$SPEC" --generator-name dart-dio --output "$OUT/dart-dio" >"$OUT/dart-dio.log" 2>&1
grep -c "WARN" "$OUT/dart-dio.log" | xargs -I{} echo "dart-dio: {} generator warnings (see $OUT/dart-dio.log)"

# The linters the issue was measured with; what they still report is listed in docs/api-clients.md.
if command -v npx >/dev/null; then
    echo "== redocly (recommended)"
    npx --yes @redocly/cli@latest lint "$SPEC" --format=summary
    echo "== spectral (oas)"
    echo 'extends: ["spectral:oas"]' >"$OUT/spectral.yaml"
    npx --yes @stoplight/spectral-cli lint "$SPEC" --ruleset "$OUT/spectral.yaml" --fail-severity=error
else
    echo "npx not found: the linters were not run" >&2
fi
