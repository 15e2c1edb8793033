# The demo estate's code. demo/run_demo.py builds what it declares (all but the topic) with boto3
# and writes the state Terraform would have written; the scan reads both, so each finding names
# its file:line here.

module "network" {
  source = "./network"
}

module "workers" {
  source = "./workers"
}

resource "aws_sqs_queue" "queue" {
  for_each = toset(["orders", "invoices", "emails"])

  name                       = each.key
  visibility_timeout_seconds = 30
  tags = {
    env = "prod"
  }
}

resource "aws_s3_bucket" "invoices" {
  bucket = "acme-invoices"
  tags = {
    env = "prod"
  }
}

# Merged in a pull request last week; nobody has run terraform apply since.
resource "aws_sns_topic" "alerts" {
  name = "invoice-alerts"
}
