"""A loopback stand-in for the few AWS calls ECS Compose-X makes while rendering templates
(STS GetCallerIdentity, EC2 DescribeAvailabilityZones, CloudFormation ValidateTemplate), so
that benches/peers.sh can time it without an AWS account. Answers every other call with an
empty success and logs its name to standard error.

Usage: aws_stub.py PORT"""
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "123456789012"
ANSWERS = {
    "GetCallerIdentity": (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/bench</Arn>"
        f"<UserId>AIDBENCH</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    ),
    "DescribeAvailabilityZones": (
        '<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>1</requestId><availabilityZoneInfo>"
        + "".join(
            f"<item><zoneName>eu-west-1{z}</zoneName><zoneState>available</zoneState>"
            f"<regionName>eu-west-1</regionName><zoneId>euw1-az{i}</zoneId></item>"
            for i, z in enumerate("abc", 1)
        )
        + "</availabilityZoneInfo></DescribeAvailabilityZonesResponse>"
    ),
    "ValidateTemplate": (
        '<ValidateTemplateResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
        "<ValidateTemplateResult><Parameters/></ValidateTemplateResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ValidateTemplateResponse>"
    ),
}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        action = urllib.parse.parse_qs(body).get("Action", [""])[0]
        answer = ANSWERS.get(action)
        if answer is None:
            print(f"aws_stub: unanswered {action or self.headers.get('X-Amz-Target')}", file=sys.stderr)
            answer = f"<{action}Response><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>"
        data = answer.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
