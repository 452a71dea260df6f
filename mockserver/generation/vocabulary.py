"""The fixed data realistic values are drawn from: model records, words and phrases, plausible number ranges."""

from __future__ import annotations

# OpenRouter-style model records: (slug, permaslug, provider).
MODELS: tuple[tuple[str, str, str], ...] = (
    ("openai/gpt-4o", "openai/gpt-4o-2024-08-06", "OpenAI"),
    ("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18", "OpenAI"),
    ("openai/o3-mini", "openai/o3-mini-2025-01-31", "OpenAI"),
    ("anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet-20241022", "Anthropic"),
    ("anthropic/claude-3.5-haiku", "anthropic/claude-3-5-haiku-20241022", "Anthropic"),
    ("anthropic/claude-3.7-sonnet", "anthropic/claude-3-7-sonnet-20250219", "Google Vertex"),
    ("google/gemini-2.0-flash-001", "google/gemini-2.0-flash-001", "Google AI Studio"),
    ("google/gemini-2.5-pro", "google/gemini-2.5-pro-preview-03-25", "Google Vertex"),
    ("meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct", "DeepInfra"),
    ("meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct", "Together"),
    ("mistralai/mistral-large-2411", "mistralai/mistral-large-2411", "Mistral"),
    ("deepseek/deepseek-chat", "deepseek/deepseek-chat-v3-0324", "DeepSeek"),
    ("deepseek/deepseek-r1", "deepseek/deepseek-r1", "Fireworks"),
    ("qwen/qwen-2.5-72b-instruct", "qwen/qwen-2.5-72b-instruct", "Novita"),
    ("x-ai/grok-2-1212", "x-ai/grok-2-1212", "xAI"),
)
TOPICS = (
    "Revenue",
    "Signups",
    "Churn",
    "Active Users",
    "Orders",
    "Pipeline",
    "Retention",
    "Marketing Spend",
    "Support Tickets",
    "Conversion",
    "Inventory",
    "Web Traffic",
    "Billing",
    "Onboarding",
    "Sales",
)
SUFFIXES = ("Overview", "by Region", "Weekly", "Monthly Report", "Trend", "Breakdown", "KPIs", "Forecast", "Summary")
WORDS = (
    "analytics",
    "report",
    "workflow",
    "dashboard",
    "export",
    "pipeline",
    "insight",
    "sync",
    "import",
    "campaign",
    "segment",
    "invoice",
    "project",
    "workspace",
    "notebook",
    "schedule",
    "alert",
    "query",
)
STATUSES = ("active", "success", "completed", "pending", "processing", "failed", "archived")
KINDS = ("workflow_run", "report_export", "dashboard_view", "query_run", "file_upload", "member_invite", "api_call")
SENTENCES = (
    "Generated automatically from the weekly usage export.",
    "Includes activity from every connected device.",
    "Updated after the nightly aggregation job.",
    "Reflects usage across all workspaces in the organisation.",
    "Owned by the analytics team; contact them before changing it.",
    "Used for the monthly executive review.",
    "Created during onboarding and kept for reference.",
    "Counts only completed runs, retries excluded.",
)
MIMES = ("application/json", "text/csv", "application/pdf", "image/png", "text/plain")
PATHS = ("/reports/monthly", "/dashboards/overview", "/v1/exports/latest", "/settings/billing", "/projects/42/runs")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LANGUAGES = ("en", "de", "fr", "es", "ja", "pt", "nl", "it")
LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF")
TIMEZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Kolkata",
)
CODES = ("ALPHA", "BETA", "GOLD", "PRO", "TEAM", "BASIC")

# kind: (low, high, decimals or None for integers); bounds of what is plausible, not of the schema.
NUMBER_KINDS: dict[str, tuple[float, float, int | None]] = {
    "http_status": (400, 599, None),
    "latitude": (-60, 70, 5),
    "longitude": (-170, 170, 5),
    "percent": (0, 100, 2),
    "ratio": (0, 1, 3),
    "tokens": (0, 250_000, None),
    "money": (0, 25, 4),
    "duration": (1, 900, None),
    "year": (2015, 2026, None),
    "age": (18, 80, None),
    "port": (1024, 65535, None),
    "page": (1, 20, None),
    "page_size": (10, 100, None),
    "offset": (0, 200, None),
    "average": (0, 40, 1),
    "count": (0, 500, None),
    "requests": (1, 500, None),  # a row of activity with tokens had at least one request
    "plain": (0, 1000, 2),
}
