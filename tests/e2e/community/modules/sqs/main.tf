# A queue as the popular SQS modules write it: encrypted with SQS-managed keys, a dead-letter
# queue named after it, the redrive set on the queue itself, and a policy resource for the
# dead-letter queue.

variable "name" {
  type = string
}

variable "visibility_timeout" {
  type    = number
  default = 30
}

variable "max_receive_count" {
  type    = number
  default = 5
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 10
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

# The modules' dead-letter queue policy: who may read and clear what failed. It hangs off the
# dead-letter queue, not the queue, so the queue and its policy are created side by side
# (against the emulator each waits ~25 s for its attributes to settle)
data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "AllowRedriveFromAccount"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [aws_sqs_queue.dlq.arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}

output "url" {
  value = aws_sqs_queue.this.id
}

output "arn" {
  value = aws_sqs_queue.this.arn
}
