#!/bin/bash
# The web hosts' health reporter: 1 when Open WebUI's /health answers over HTTPS (through Caddy on
# this host, or through the ALB by the portal's public name, as users reach it), else 0, as the
# metric the health alarm watches. A boot file (compute/web.ts webBootFiles; these comment lines stay
# in the repository), run every minute by ai-portal-health.timer with health.env (templates/web.sh).
set -uo pipefail
healthy=0
route=(--resolve "$PORTAL_HOST:443:127.0.0.1" --insecure)
if [ "$HEALTH_ROUTE" = alb ]; then
    route=() # the public name, a trusted certificate: what a user's browser sees
fi
if curl --silent --fail --max-time 10 "${route[@]}" "https://$PORTAL_HOST/health" >/dev/null; then
    healthy=1
fi
aws cloudwatch put-metric-data --region "$AWS_REGION" --namespace "$HEALTH_NAMESPACE" --metric-name "$HEALTH_METRIC" \
    --dimensions "Stack=$PORTAL_STACK" --value "$healthy"
