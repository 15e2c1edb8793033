# A security group whose rules are resources of their own, one per entry of a map: the
# aws_vpc_security_group_*_rule resources, or (legacy_rules) aws_security_group_rule as the
# older module releases write them. Every group may send anywhere.

variable "name" {
  type = string
}

variable "description" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "legacy_rules" {
  type    = bool
  default = false
}

variable "ingress" {
  type = map(object({
    from_port   = number
    to_port     = number
    protocol    = string
    cidr        = string
    description = string
  }))
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-"
  description = var.description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.legacy_rules ? {} : var.ingress

  security_group_id = aws_security_group.this.id
  description       = each.value.description
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  ip_protocol       = each.value.protocol
  cidr_ipv4         = each.value.cidr
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "all" {
  count = var.legacy_rules ? 0 : 1

  security_group_id = aws_security_group.this.id
  description       = "all traffic out"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group_rule" "ingress" {
  for_each = var.legacy_rules ? var.ingress : {}

  type              = "ingress"
  security_group_id = aws_security_group.this.id
  description       = each.value.description
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  protocol          = each.value.protocol
  cidr_blocks       = [each.value.cidr]
}

resource "aws_security_group_rule" "egress" {
  count = var.legacy_rules ? 1 : 0

  type              = "egress"
  security_group_id = aws_security_group.this.id
  description       = "all traffic out"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

output "id" {
  value = aws_security_group.this.id
}
